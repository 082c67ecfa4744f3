using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// y = x W^T + b over the last (channel) axis of a channels-last tensor, at every position: the
/// classifier of a global-average head (N, 1, 1, 1, Cp) and the per-position classifier of a
/// fully-convolutional one. One <see cref="Gemm"/> over a (positions, Cp) view; the weight
/// (out, in) is packed transposed with zero rows and columns for the padded channels. Weights are
/// read (<paramref name="weight"/>, <paramref name="bias"/>) only when the graph compiles.
/// </summary>
public sealed class FullyConnectedNode(string name, string input, string output, Func<float[]> weight, Func<float[]> bias, int outFeatures, bool relu = false)
    : Node(name, [input], [output])
{
    private int _inFeatures;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        _inFeatures = x.Channels ?? x.Shape[-1];
        if (x.Shape[-1] != ChannelsLast.Padded(_inFeatures))
            throw ShapeError(inputs, $"expected {_inFeatures} input channels stored as {ChannelsLast.Padded(_inFeatures)}");
        var dims = x.Shape.Dims.ToArray();
        dims[^1] = ChannelsLast.Padded(outFeatures);
        return [new TensorSpec(new Shape(dims), DataType.Float32, outFeatures)];
    }

    public override IEnumerable<WeightData> Weights()
    {
        var kp = ChannelsLast.Padded(_inFeatures);
        var np = ChannelsLast.Padded(outFeatures);
        var (w, b) = (weight(), bias());
        if (w.Length != outFeatures * _inFeatures || b.Length != outFeatures)
            throw new EngineException($"{this}: weight of {w.Length} and bias of {b.Length} values do not make a ({outFeatures}, {_inFeatures}) layer.");
        var packed = new float[kp * np];
        for (var o = 0; o < outFeatures; o++)
        {
            for (var i = 0; i < _inFeatures; i++)
                packed[i * np + o] = w[o * _inFeatures + i];
        }
        var paddedBias = new float[np];
        b.CopyTo(paddedBias, 0);
        yield return new WeightData("weight", new Shape(kp, np), packed, AcceptsFloat16: true);
        yield return new WeightData("bias", new Shape(np), paddedBias);
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var x = tensors.Inputs[0];
        var y = tensors.Outputs[0];
        var kp = x.Shape[-1];
        var np = y.Shape[-1];
        return new Gemm(device, x.Reshape(new Shape((int)(x.ElementCount / kp), kp)), tensors.Weight("weight"),
            y.Reshape(new Shape((int)(y.ElementCount / np), np)), tensors.Weight("bias"), relu: relu, name: Name);
    }
}
