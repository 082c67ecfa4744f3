using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// RoIAlign / MultiScaleRoIAlign (<see cref="RoiAlign"/>) of boxes (R, 4) over 1 to 5 feature maps
/// (1, 1, H_l, W_l, Cp) with their <paramref name="scales"/> (feature / image size); output the
/// channels-last (R, 1, oh, ow, Cp), valid up to <paramref name="count"/> (or the boxes' count).
/// </summary>
public sealed class RoiAlignNode(string name, IReadOnlyList<string> features, string boxes, string output, IReadOnlyList<float> scales,
    RoiAlignOptions options, string? count = null)
    : Node(name, [.. features, .. DetectionInputs.List(boxes, count)], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var f = inputs[0];
        var b = inputs[features.Count];
        if (f.Shape.Rank != 5 || b.Shape.Rank != 2 || b.Shape[1] != 4 || inputs.Take(features.Count).Any(s => s.Shape.Rank != 5 || s.Shape[4] != f.Shape[4]))
            throw ShapeError(inputs, "expected feature maps (1, 1, H, W, Cp) with one Cp and boxes (R, 4)");
        DetectionInputs.RequireCount(this, inputs, count);
        return [new TensorSpec(new Shape(b.Shape[0], 1, options.OutputHeight, options.OutputWidth, f.Shape[4]), DataType.Float32, f.Channels,
            count ?? b.CountTensor)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new RoiAlign(device, tensors.Inputs.Take(features.Count).ToArray(), scales, tensors.Inputs[features.Count], tensors.Outputs[0], options,
            DetectionInputs.Tensor(this, tensors, count), Name);
}
