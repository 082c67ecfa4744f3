using Engine.Contracts;

namespace {{Name}}.Tests;

/// <summary>An <see cref="INetworkBuilder"/> that only records what a plugin asks for, so Build can be tested without a GPU.</summary>
public sealed class RecordingNetwork(IReadOnlyList<int> inputShape) : INetworkBuilder
{
    private int _next = 1;

    public sealed record KernelCall(string Shader, IReadOnlyList<int> OutputShape, IReadOnlyList<NetworkTensor> Inputs, uint[] Push, (uint X, uint Y, uint Z) Groups);

    public NetworkTensor Input { get; } = new(0, inputShape);

    public List<KernelCall> Kernels { get; } = [];

    public Dictionary<string, NetworkTensor> Outputs { get; } = [];

    public ModelOutputs Model(string packagePath, NetworkTensor input, AttentionRequest? attention = null) =>
        throw new NotSupportedException("this plugin takes no model");

    public DetectionOutputs Detector(string packagePath, NetworkTensor input) =>
        throw new NotSupportedException("this plugin takes no detector");

    public NetworkTensor Constant(string name, IReadOnlyList<int> shape, float[] values) => new(_next++, shape);

    public NetworkTensor Linear(NetworkTensor x, NetworkTensor weight, NetworkTensor? bias = null) => new(_next++, [x.Shape[0], weight.Shape[1]]);

    public NetworkTensor Reshape(NetworkTensor x, IReadOnlyList<int> shape) => new(_next++, shape);

    public NetworkTensor Kernel(string shaderFile, IReadOnlyList<int> outputShape, IReadOnlyList<NetworkTensor> inputs, uint[] push, (uint X, uint Y, uint Z) groups)
    {
        Kernels.Add(new KernelCall(shaderFile, outputShape, inputs, push, groups));
        return new NetworkTensor(_next++, outputShape);
    }

    public void Output(string name, NetworkTensor tensor) => Outputs.Add(name, tensor);
}
