using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>Softmax over the channels of every position (<see cref="ChannelSoftmax"/>), e.g. class probabilities.</summary>
public sealed class SoftmaxNode(string name, string input, string output) : Node(name, [input], [output])
{
    private int _channels;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (inputs[0].Channels is not { } channels)
            throw ShapeError(inputs, "expected a channels-last tensor (..., Cp)");
        _channels = channels;
        return [inputs[0]];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) => new ChannelSoftmax(device, tensors.Inputs[0], tensors.Outputs[0], _channels, Name);
}
