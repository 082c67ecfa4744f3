using Engine.Contracts;
using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// A detector's input transform (<see cref="ImageTransform"/>): a planar (3, H, W) image (or a
/// channels-last (1, 1, H, W, 4) one) to the
/// channels-last (1, 1, Hp, Wp, 4) input holding it normalised, resized to <paramref name="resized"/>
/// and zero-padded to <paramref name="padded"/>.
/// </summary>
public sealed class ImageTransformNode(string name, string image, string output, Normalization normalization, (int H, int W) resized, (int H, int W) padded)
    : Node(name, [image], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        var planar = x.Shape.Rank == 3 && x.Shape[0] == 3 && x.Channels is null;
        var channelsLast = x.Shape.Rank == 5 && x.Shape[0] == 1 && x.Shape[1] == 1 && x.Channels == 3;
        if (!planar && !channelsLast)
            throw ShapeError(inputs, "expected a planar (3, H, W) image or a channels-last (1, 1, H, W, 4) one");
        if (resized.H > padded.H || resized.W > padded.W)
            throw ShapeError(inputs, $"the resized {resized.H}x{resized.W} must fit the padded {padded.H}x{padded.W}");
        return [TensorSpec.Activation(1, 1, padded.H, padded.W, 3)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new ImageTransform(device, tensors.Inputs[0], tensors.Outputs[0], normalization, resized, Name);
}
