using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Box decoding (<see cref="BoxDecode"/>): reference boxes (R, 4) and deltas of R * 4 * classes
/// elements in any shape (an RPN's channels-last (1, 1, H, W, 4A) is already in torchvision's
/// (H, W, A, 4) order); output (rows, 4) or (rows, classes, 4), rows = R or the length of
/// <paramref name="indices"/>, valid up to <paramref name="count"/> when given.
/// </summary>
public sealed class BoxDecodeNode(string name, string boxes, string deltas, string output, BoxWeights weights, (int Height, int Width)? clipTo = null,
    int classes = 1, string? indices = null, string? count = null)
    : Node(name, DetectionInputs.List(boxes, deltas, indices, count), [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var (b, d) = (inputs[0], inputs[1]);
        if (b.Shape.Rank != 2 || b.Shape[1] != 4 || d.Shape.ElementCount != b.Shape[0] * 4L * classes)
            throw ShapeError(inputs, $"expected boxes (R, 4) and R * 4 * {classes} deltas");
        DetectionInputs.RequireCount(this, inputs, count);
        var rows = DetectionInputs.Spec(this, inputs, indices) is { } i ? (int)i.Shape.ElementCount : b.Shape[0];
        var shape = classes == 1 ? new Shape(rows, 4) : new Shape(rows, classes, 4);
        return [new TensorSpec(shape, DataType.Float32, CountTensor: count ?? b.CountTensor)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var b = tensors.Inputs[0];
        var d = tensors.Inputs[1].Reshape(new Shape(b.Shape[0], 4 * classes));
        return new BoxDecode(device, b, d, tensors.Outputs[0], weights, clipTo, DetectionInputs.Tensor(this, tensors, indices),
            DetectionInputs.Tensor(this, tensors, count), Name);
    }
}
