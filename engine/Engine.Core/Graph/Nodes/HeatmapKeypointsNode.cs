using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// The keypoints of each box from its heatmaps as torchvision's heatmaps_to_keypoints
/// (<see cref="HeatmapKeypoints"/>): heatmaps (R, 1, M, M, Cp) with <paramref name="keypoints"/>
/// channels, boxes (R, 4) in the heatmaps' pixels, output (R, K, 3) [x, y, score] scaled by
/// <paramref name="ratio"/>.
/// </summary>
public sealed class HeatmapKeypointsNode(string name, string heatmaps, string boxes, string output, int keypoints, (float X, float Y) ratio, string? count = null)
    : Node(name, DetectionInputs.List(heatmaps, boxes, count), [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var m = inputs[0].Shape;
        if (m.Rank != 5 || inputs[0].Channels is not { } c || c < keypoints || inputs[1].Shape.ElementCount != m[0] * 4L)
            throw ShapeError(inputs, $"expected heatmaps (R, 1, M, M, Cp) of at least {keypoints} channels and boxes (R, 4)");
        DetectionInputs.RequireCount(this, inputs, count);
        return [new TensorSpec(new Shape(m[0], keypoints, 3), DataType.Float32, CountTensor: count ?? inputs[1].CountTensor)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new HeatmapKeypoints(device, tensors.Inputs[0], tensors.Inputs[1].Reshape(new Shape(tensors.Inputs[0].Shape[0], 4)), tensors.Outputs[0], ratio,
            DetectionInputs.Tensor(this, tensors, count), Name);
}
