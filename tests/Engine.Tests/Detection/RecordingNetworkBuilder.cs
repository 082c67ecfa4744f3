using Engine.Contracts;

namespace Engine.Tests.Detection;

/// <summary>
/// An <see cref="INetworkBuilder"/> that records what a plugin asks for, without a GPU: a detector
/// yields tensors of the contract's shapes (100 detections), so a plugin's Build and Interpret can be
/// checked against hand-made results.
/// </summary>
public sealed class RecordingNetworkBuilder(int width, int height, bool masks, int keypoints = 0) : INetworkBuilder
{
    private int _next = 1;

    public NetworkTensor Input { get; } = new(0, [1, 1, height, width, 4]);

    public Dictionary<string, NetworkTensor> Outputs { get; } = [];

    public string? DetectorPackage { get; private set; }

    public DetectionOutputs Detector(string packagePath, NetworkTensor input)
    {
        DetectorPackage = packagePath;
        return new DetectionOutputs(Tensor(100, 4), Tensor(100), Tensor(100), Tensor(1), masks ? Tensor(100, height, width) : null,
            keypoints > 0 ? Tensor(100, keypoints, 3) : null);
    }

    public void Output(string name, NetworkTensor tensor) => Outputs.Add(name, tensor);

    public ModelOutputs Model(string packagePath, NetworkTensor input, AttentionRequest? attention = null) => throw new NotSupportedException();

    public NetworkTensor Constant(string name, IReadOnlyList<int> shape, float[] values) => throw new NotSupportedException();

    public NetworkTensor Linear(NetworkTensor x, NetworkTensor weight, NetworkTensor? bias = null) => throw new NotSupportedException();

    public NetworkTensor Reshape(NetworkTensor x, IReadOnlyList<int> shape) => throw new NotSupportedException();

    public NetworkTensor Kernel(string shaderFile, IReadOnlyList<int> outputShape, IReadOnlyList<NetworkTensor> inputs, uint[] push, (uint X, uint Y, uint Z) groups) =>
        throw new NotSupportedException();

    private NetworkTensor Tensor(params int[] shape) => new(_next++, shape);
}
