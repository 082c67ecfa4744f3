using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Greedy NMS with torchvision's semantics (<see cref="Nms"/>): boxes (..., 4) and one score per box;
/// candidates are all boxes or <paramref name="candidates"/> up to <paramref name="count"/>;
/// <paramref name="groups"/> (int32 per box) makes it batched/class-aware; every candidate takes part.
/// Outputs (maxKeep) int32 kept indices, highest score first, and their count.
/// </summary>
public sealed class NmsNode(string name, string boxes, string scores, string keep, string keepCount, float iouThreshold, int maxKeep,
    string? candidates = null, string? count = null, string? groups = null)
    : Node(name, DetectionInputs.List(boxes, scores, candidates, count, groups), [keep, keepCount])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var (b, s) = (inputs[0], inputs[1]);
        var n = b.Shape.ElementCount / 4;
        if (b.Shape[-1] != 4 || s.Shape.ElementCount != n || s.Type != DataType.Float32 || maxKeep <= 0)
            throw ShapeError(inputs, $"expected boxes (..., 4), one float32 score per box and maxKeep = {maxKeep} > 0");
        if (DetectionInputs.Spec(this, inputs, groups) is { } g && (g.Shape.ElementCount != n || g.Type != DataType.Int32))
            throw ShapeError(inputs, "expected one int32 group per box");
        DetectionInputs.RequireCount(this, inputs, count);
        return [new TensorSpec(new Shape(maxKeep), DataType.Int32, CountTensor: Outputs[1]), new TensorSpec(new Shape(1), DataType.UInt32)];
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) =>
        Nms.ScratchBytes(device, (int)(DetectionInputs.Spec(this, inputs, candidates) ?? inputs[1]).Shape.ElementCount);

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var (b, s) = (tensors.Inputs[0], tensors.Inputs[1]);
        var n = (int)s.ElementCount;
        var g = DetectionInputs.Tensor(this, tensors, groups);
        return new Nms(device, b.Reshape(new Shape(n, 4)), s.Reshape(new Shape(n)), tensors.Outputs[0], tensors.Outputs[1], iouThreshold, tensors.Scratch!,
            DetectionInputs.Tensor(this, tensors, candidates), DetectionInputs.Tensor(this, tensors, count), g?.Reshape(new Shape(n)), Name);
    }
}
