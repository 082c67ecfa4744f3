using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Rows of <paramref name="source"/> (R, ...) at <paramref name="indices"/> (K) int32 (<see cref="Gather"/>),
/// (their sigmoids when <paramref name="sigmoid"/>), zeros past <paramref name="count"/> and for indices outside the source (the -1 that
/// top-k and NMS write past their counts); the output (K, ...) is valid up to the count.
/// </summary>
public sealed class GatherNode(string name, string source, string indices, string output, string? count = null, bool sigmoid = false)
    : Node(name, DetectionInputs.List(source, indices, count), [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var (s, i) = (inputs[0], inputs[1]);
        if (s.Shape.Rank == 0 || s.Type.Size() != 4 || i.Type != DataType.Int32)
            throw ShapeError(inputs, "expected a source of 4-byte elements and int32 indices");
        DetectionInputs.RequireCount(this, inputs, count);
        var dims = s.Shape.Dims.ToArray();
        dims[0] = (int)i.Shape.ElementCount;
        return [new TensorSpec(new Shape(dims), s.Type, s.Channels, count ?? i.CountTensor)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new Gather(device, tensors.Inputs[0], tensors.Inputs[1].Reshape(new Shape((int)tensors.Inputs[1].ElementCount)), tensors.Outputs[0],
            DetectionInputs.Tensor(this, tensors, count), sigmoid, Name);
}
