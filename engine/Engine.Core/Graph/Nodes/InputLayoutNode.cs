using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A clip as PyTorch holds it, (N, C, T, H, W), to the channels-last (N, T, H, W, Cp) every op reads,
/// on the GPU.
/// </summary>
public sealed class InputLayoutNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is not null)
            throw ShapeError(inputs, "expected a (N, C, T, H, W) tensor in PyTorch layout");
        return [TensorSpec.Activation(x.Shape[0], x.Shape[2], x.Shape[3], x.Shape[4], x.Shape[1])];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        Permute.ToChannelsLast(device, tensors.Inputs[0], tensors.Outputs[0], Name);
}
