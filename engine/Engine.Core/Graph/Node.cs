using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph;

/// <summary>
/// One step of a network: reads named tensors, writes named tensors, and becomes an <see cref="IOp"/>
/// at compile time. Everything a node does happens while the graph compiles: shape inference
/// (<see cref="InferOutputs"/>), weight packing (<see cref="Weights(Device, IReadOnlyList{TensorSpec}, CompileOptions)"/>) and op creation
/// (<see cref="CreateOp(Device, NodeTensors, CompileOptions)"/>); only the op's recorded dispatches run per frame.
/// </summary>
public abstract class Node
{
    protected Node(string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        if (outputs.Count == 0)
            throw new EngineException($"Node '{name}' writes no tensor.");
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Name { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Output specs from input specs; throws an error naming the node and the shapes when they do not fit.</summary>
    public abstract IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs);

    /// <summary>
    /// Bytes of working memory the op needs while it runs (0 for none). The compiler places it in an
    /// arena alive for this node only, so later nodes reuse it; ops never allocate their own scratch.
    /// </summary>
    public virtual long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) => 0;

    /// <summary>
    /// <see cref="ScratchBytes(Device, IReadOnlyList{TensorSpec})"/> for a compile with these options (a
    /// convolution reserves what its chosen variant needs). The compiler calls this one.
    /// </summary>
    public virtual long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options) => ScratchBytes(device, inputs);

    /// <summary>The node's constants, packed for its op. Called once at compile; the arrays are dropped after upload.</summary>
    public virtual IEnumerable<WeightData> Weights() => [];

    /// <summary>
    /// The constants for a compile on <paramref name="device"/> with these input specs and options:
    /// <see cref="Weights()"/>, unless the node packs by variant (a convolution that will run as Winograd
    /// uploads only its Winograd packing).
    /// </summary>
    public virtual IEnumerable<WeightData> Weights(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options) => Weights();

    /// <summary>The op bound to the compiled graph's tensors (inputs, outputs and uploaded weights).</summary>
    public abstract IOp CreateOp(Device device, NodeTensors tensors);

    /// <summary>The op for a compile with these options (a tunable node runs the variant they choose). The compiler calls this one.</summary>
    public virtual IOp CreateOp(Device device, NodeTensors tensors, CompileOptions options) => CreateOp(device, tensors);

    public override string ToString() => $"node '{Name}' ({GetType().Name})";

    /// <summary>An error that names this node, what it expected and the input shapes it got.</summary>
    protected EngineException ShapeError(IReadOnlyList<TensorSpec> inputs, string expected) =>
        new($"{this}: {expected}; got {string.Join(", ", inputs.Select((s, i) => $"'{Inputs[i]}' {s}"))}.");
}
