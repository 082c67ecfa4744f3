using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// Pastes each box's predicted-class mask into a <paramref name="height"/> x <paramref name="width"/>
/// image as torchvision's paste_masks_in_image (<see cref="PasteMasks"/>): mask logits (R, 1, M, M, Cp),
/// labels (R) int32, boxes (R, 4) in output pixels; output (R, H, W) probabilities. With
/// <paramref name="detectron2"/>, detectron2's paste_masks_in_image instead.
/// </summary>
public sealed class PasteMasksNode(string name, string maskLogits, string labels, string boxes, string output, int height, int width, string? count = null,
    bool detectron2 = false)
    : Node(name, DetectionInputs.List(maskLogits, labels, boxes, count), [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var m = inputs[0].Shape;
        if (m.Rank != 5 || inputs[1].Shape.ElementCount != m[0] || inputs[1].Type != DataType.Int32 || inputs[2].Shape.ElementCount != m[0] * 4L)
            throw ShapeError(inputs, "expected mask logits (R, 1, M, M, Cp), int32 labels (R) and boxes (R, 4)");
        DetectionInputs.RequireCount(this, inputs, count);
        return [new TensorSpec(new Shape(m[0], height, width), DataType.Float32, CountTensor: count ?? inputs[2].CountTensor)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var r = tensors.Inputs[0].Shape[0];
        return new PasteMasks(device, tensors.Inputs[0], tensors.Inputs[1].Reshape(new Shape(r)), tensors.Inputs[2].Reshape(new Shape(r, 4)),
            tensors.Outputs[0], DetectionInputs.Tensor(this, tensors, count), Name, detectron2);
    }
}
