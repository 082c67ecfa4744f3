using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// Resizes a channels-last activation's H and W to an exact <paramref name="size"/> (<see cref="Resize"/>):
/// FPN's nearest top-down path to the lateral's size, bilinear resizes.
/// </summary>
public sealed class ResizeNode(string name, string input, string output, ResizeMode mode, (int H, int W) size) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is null)
            throw ShapeError(inputs, "expected a channels-last (N, T, H, W, Cp) activation");
        if (size.H <= 0 || size.W <= 0)
            throw ShapeError(inputs, $"the size {size.H}x{size.W} must be positive");
        return [x with { Shape = new Shape(x.Shape[0], x.Shape[1], size.H, size.W, x.Shape[4]) }];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) => new Resize(device, tensors.Inputs[0], tensors.Outputs[0], mode, Name);
}
