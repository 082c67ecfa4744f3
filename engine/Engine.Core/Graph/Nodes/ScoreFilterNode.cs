using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Score threshold with stream compaction (<see cref="ScoreFilter"/>): scores of any shape viewed as
/// (rows, <paramref name="columns"/>); outputs the passing flat indices (in no particular order) and
/// their count. <paramref name="rowCount"/> limits the valid rows, <paramref name="excludeColumn"/>
/// drops a class (the background), <paramref name="boxes"/> with <paramref name="minSize"/> drops
/// small boxes.
/// </summary>
public sealed class ScoreFilterNode(string name, string scores, string kept, string keptCount, float threshold, bool inclusive = false, bool sigmoid = false,
    int columns = 1, int? excludeColumn = null, string? boxes = null, float minSize = 0, string? rowCount = null)
    : Node(name, DetectionInputs.List(scores, boxes, rowCount), [kept, keptCount])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var n = inputs[0].Shape.ElementCount;
        if (inputs[0].Type != DataType.Float32 || columns <= 0 || n % columns != 0)
            throw ShapeError(inputs, $"expected float32 scores in rows of {columns}");
        if (DetectionInputs.Spec(this, inputs, boxes) is { } b && b.Shape.ElementCount != n * 4)
            throw ShapeError(inputs, "expected one box per score");
        DetectionInputs.RequireCount(this, inputs, rowCount);
        return [new TensorSpec(new Shape((int)n), DataType.Int32, CountTensor: Outputs[1]), new TensorSpec(new Shape(1), DataType.UInt32)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var s = tensors.Inputs[0];
        var view = columns == 1 ? s.Reshape(new Shape((int)s.ElementCount)) : s.Reshape(new Shape((int)(s.ElementCount / columns), columns));
        var b = DetectionInputs.Tensor(this, tensors, boxes);
        return new ScoreFilter(device, view, tensors.Outputs[0], tensors.Outputs[1], threshold, inclusive, sigmoid, excludeColumn,
            b?.Reshape(new Shape((int)s.ElementCount, 4)), minSize, DetectionInputs.Tensor(this, tensors, rowCount), Name);
    }
}
