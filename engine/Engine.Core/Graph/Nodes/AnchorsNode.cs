using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// The anchors of one FPN level (<see cref="Anchors"/>) for a feature map (1, 1, H, W, Cp) of a
/// (padded) image of <paramref name="imageHeight"/> x <paramref name="imageWidth"/>: strides are
/// image // feature as in torchvision; output (H * W * A, 4). The feature map is an input for its
/// shape only. With <paramref name="detectron2Stride"/> the anchors are detectron2's
/// DefaultAnchorGenerator's instead: unrounded cell anchors (<see cref="Anchors.Detectron2CellAnchors"/>)
/// at that fixed stride, which differs from image // feature on a P6 of odd size.
/// </summary>
public sealed class AnchorsNode(string name, string feature, string output, int imageHeight, int imageWidth, IReadOnlyList<float> sizes,
    IReadOnlyList<float> aspectRatios, int? detectron2Stride = null) : Node(name, [feature], [output])
{
    private int _h;
    private int _w;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var f = inputs[0].Shape;
        if (f.Rank != 5 || f[0] != 1 || f[1] != 1)
            throw ShapeError(inputs, "expected a feature map (1, 1, H, W, Cp)");
        (_h, _w) = (f[2], f[3]);
        return [new TensorSpec(new Shape(_h * _w * sizes.Count * aspectRatios.Count, 4))];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) => detectron2Stride is { } stride
        ? new Anchors(device, tensors.Outputs[0], _h, _w, stride, stride, Anchors.Detectron2CellAnchors(sizes, aspectRatios), Name)
        : new Anchors(device, tensors.Outputs[0], _h, _w, imageHeight / _h, imageWidth / _w, sizes, aspectRatios, Name);
}
