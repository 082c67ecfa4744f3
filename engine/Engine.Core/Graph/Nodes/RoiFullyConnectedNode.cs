using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A fully connected layer over each row's whole channels-last feature (R, T, H, W, Cp), the box
/// head's fc6 after RoIAlign: one <see cref="Gemm"/> over an (R, T*H*W*Cp) view. The PyTorch weight
/// (out, C*T*H*W), flattened in (c, t, h, w) order, is permuted at compile time to rows
/// ((t*H + h)*W + w)*Cp + c, zero for the padded channels. Output (R, 1, 1, 1, out padded to 4).
/// </summary>
public sealed class RoiFullyConnectedNode(string name, string input, string output, Func<float[]> weight, Func<float[]> bias, int outFeatures, bool relu = false)
    : Node(name, [input], [output])
{
    private (int Positions, int C, int Cp) _in;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels is not { } c)
            throw ShapeError(inputs, "expected a channels-last (R, T, H, W, Cp) feature");
        _in = (x.Shape[1] * x.Shape[2] * x.Shape[3], c, x.Shape[4]);
        return [TensorSpec.Activation(x.Shape[0], 1, 1, 1, outFeatures)];
    }

    public override IEnumerable<WeightData> Weights()
    {
        var (positions, c, cp) = _in;
        var np = ChannelsLast.Padded(outFeatures);
        var (w, b) = (weight(), bias());
        if (w.Length != (long)outFeatures * c * positions || b.Length != outFeatures)
            throw new EngineException($"{this}: weight of {w.Length} and bias of {b.Length} values do not make a ({outFeatures}, {c}x{positions}) layer.");
        var packed = new float[(long)positions * cp * np];
        for (var o = 0; o < outFeatures; o++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var p = 0; p < positions; p++)
                    packed[((long)p * cp + ch) * np + o] = w[((long)o * c + ch) * positions + p];
            }
        }
        yield return new WeightData("weight", new Shape(positions * cp, np), packed, AcceptsFloat16: true);
        yield return new WeightData("bias", new Shape(np), ChannelsLast.PadVector(b));
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var (x, y) = (tensors.Inputs[0], tensors.Outputs[0]);
        var rows = x.Shape[0];
        return new Gemm(device, x.Reshape(new Shape(rows, (int)(x.ElementCount / rows))), tensors.Weight("weight"), y.Reshape(new Shape(rows, y.Shape[4])),
            tensors.Weight("bias"), relu: relu, name: Name);
    }
}
