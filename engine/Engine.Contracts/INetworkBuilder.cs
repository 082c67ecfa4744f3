namespace Engine.Contracts;

/// <summary>
/// The graph API plugins build their networks with; the host implements it over the engine's graph
/// (a model and the plugin's own steps are one graph) and compiles the result once (shape checks
/// happen here, at build time, never mid-frame); each run is one submission. Plugins never see
/// Vulkan objects: tensors are <see cref="NetworkTensor"/> handles.
/// </summary>
public interface INetworkBuilder
{
    /// <summary>The network's input clip, channels-last (N, T, H, W, 4), channel 3 zero.</summary>
    NetworkTensor Input { get; }

    /// <summary>The network a weight package describes (any converted C2D/I3D variant), applied to <paramref name="input"/>.</summary>
    ModelOutputs Model(string packagePath, NetworkTensor input, AttentionRequest? attention = null);

    /// <summary>
    /// The detector a weight package describes (Mask/Faster R-CNN, API 1.1) applied to <paramref name="input"/>,
    /// a whole frame (<see cref="NetworkInput(FrameGeometry)"/>): the network's own transform resizes and pads it.
    /// </summary>
    DetectionOutputs Detector(string packagePath, NetworkTensor input);

    /// <summary>A constant tensor (weights of a plugin's own head), row-major.</summary>
    NetworkTensor Constant(string name, IReadOnlyList<int> shape, float[] values);

    /// <summary>
    /// x (M, K) times weight (K, N) plus bias (N): a fully connected layer. K and N must be multiples
    /// of 4; weight and bias must be <see cref="Constant"/>s (the host packs them with the model's weights).
    /// </summary>
    NetworkTensor Linear(NetworkTensor x, NetworkTensor weight, NetworkTensor? bias = null);

    /// <summary>The same elements seen with another shape.</summary>
    NetworkTensor Reshape(NetworkTensor x, IReadOnlyList<int> shape);

    /// <summary>
    /// A compute shader from the plugin's shader folder: bindings 0..n-1 are <paramref name="inputs"/>,
    /// binding n is the output (fp32, <paramref name="outputShape"/>); <paramref name="push"/> fills the
    /// push-constant block; <paramref name="groups"/> is the workgroup count.
    /// </summary>
    NetworkTensor Kernel(string shaderFile, IReadOnlyList<int> outputShape, IReadOnlyList<NetworkTensor> inputs, uint[] push, (uint X, uint Y, uint Z) groups);

    /// <summary>Marks a tensor to be read back after each run under <paramref name="name"/>.</summary>
    void Output(string name, NetworkTensor tensor);
}
