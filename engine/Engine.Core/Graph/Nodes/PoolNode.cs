using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>Max or average pooling (<see cref="Pool"/>) of a channels-last activation.</summary>
public sealed class PoolNode(string name, string input, string output, PoolKind kind, Size3 kernel, Size3 stride, Size3 padding, bool ceilMode = false)
    : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is null)
            throw ShapeError(inputs, "expected a channels-last (N, T, H, W, Cp) activation");
        Size3 size;
        try
        {
            size = Pool.OutputSize(Name, new Size3(x.Shape[1], x.Shape[2], x.Shape[3]), kernel, stride, padding, ceilMode);
        }
        catch (EngineException e)
        {
            throw ShapeError(inputs, $"{kind} pool k{kernel} s{stride} p{padding} does not fit ({e.Message})");
        }
        if (size.T <= 0 || size.H <= 0 || size.W <= 0)
            throw ShapeError(inputs, $"{kind} pool k{kernel} s{stride} p{padding} leaves no output");
        return [x with { Shape = new Shape(x.Shape[0], size.T, size.H, size.W, x.Shape[4]) }];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new Pool(device, kind, tensors.Inputs[0], tensors.Outputs[0], kernel, stride, padding, ceilMode, name: Name);
}
