using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A channels-last activation (..., Cp) holding C channels to the flat vector of its real channels,
/// (positions * C), in (position, channel) order (<see cref="Slice"/>): an RPN's objectness (1, 1, H,
/// W, Cp) of A anchors becomes torchvision's (H, W, A) order, without the padded channels.
/// </summary>
public sealed class CompactChannelsNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (inputs[0].Channels is not { } c || inputs[0].Type != DataType.Float32)
            throw ShapeError(inputs, "expected a float32 channels-last activation");
        var positions = inputs[0].Shape.ElementCount / inputs[0].Shape[-1];
        return [new TensorSpec(new Shape(checked((int)(positions * c))))];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var (x, y) = (tensors.Inputs[0], tensors.Outputs[0]);
        var cp = x.Shape[-1];
        var positions = (int)(x.ElementCount / cp);
        return new Slice(device, x.Reshape(new Shape(positions, cp)), y.Reshape(new Shape(positions, (int)(y.ElementCount / positions))), [0, 0], name: Name);
    }
}
