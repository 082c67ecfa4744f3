using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>The mean over T, H and W of a channels-last activation: (N, T, H, W, Cp) to (N, Cp).</summary>
public sealed class GlobalAveragePoolNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is null)
            throw ShapeError(inputs, "expected a channels-last (N, T, H, W, Cp) activation");
        return [x with { Shape = new Shape(x.Shape[0], x.Shape[4]) }];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var y = tensors.Outputs[0];
        return Pool.GlobalAverage(device, tensors.Inputs[0], y.Reshape(new Shape(y.Shape[0], 1, 1, 1, y.Shape[1])), Name);
    }
}
