using Engine.Gpu;

namespace Engine.Graph;

/// <summary>The GPU tensors a node's op is bound to: inputs and outputs in the node's order, weights by name, and its scratch.</summary>
public sealed class NodeTensors(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyDictionary<string, Tensor> weights, Tensor? scratch = null)
{
    /// <summary>The node's working memory (a flat float tensor of <see cref="Node.ScratchBytes(Gpu.Device, IReadOnlyList{TensorSpec}, CompileOptions)"/> bytes), or null.</summary>
    public Tensor? Scratch { get; } = scratch;

    public IReadOnlyList<Tensor> Inputs { get; } = inputs;

    public IReadOnlyList<Tensor> Outputs { get; } = outputs;

    public Tensor Weight(string name) =>
        weights.TryGetValue(name, out var t) ? t : throw new EngineException($"No weight '{name}' was uploaded for this node.");

    public Tensor? OptionalWeight(string name) => weights.GetValueOrDefault(name);
}
