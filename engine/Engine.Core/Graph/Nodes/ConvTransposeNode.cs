using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A 2D transposed convolution (<see cref="ConvTranspose"/>) on a channels-last (N, 1, H, W, Cp)
/// activation, bias and optional ReLU fused. Weights come in PyTorch's (in, out, kh, kw) layout from
/// <paramref name="weight"/> and <paramref name="bias"/>, read only when the graph compiles; the tap
/// matrix lives in the node's scratch.
/// </summary>
public sealed class ConvTransposeNode(string name, string input, string output, ConvTransposeSpec spec, Func<float[]> weight, Func<float[]> bias,
    bool relu = false)
    : Node(name, [input], [output])
{
    public ConvTransposeSpec Spec { get; } = spec;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Shape[1] != 1 || x.Channels != Spec.InChannels)
            throw ShapeError(inputs, $"expected a channels-last (N, 1, H, W, Cp) activation of {Spec.InChannels} channels for {Spec}");
        var (h, w) = Spec.OutputSize(x.Shape[2], x.Shape[3]);
        return [TensorSpec.Activation(x.Shape[0], 1, h, w, Spec.OutChannels)];
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) =>
        ConvTranspose.ScratchBytes(Spec, (long)inputs[0].Shape[0] * inputs[0].Shape[2] * inputs[0].Shape[3]);

    public override IEnumerable<WeightData> Weights()
    {
        yield return new WeightData("weight", Spec.PackedWeightShape, Spec.PackWeights(weight()), AcceptsFloat16: true);
        var b = ChannelsLast.PadVector(bias());
        yield return new WeightData("bias", new Shape(b.Length), b);
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new ConvTranspose(device, Spec, tensors.Inputs[0], tensors.Weight("weight"), tensors.Outputs[0], tensors.Scratch!, tensors.Weight("bias"), relu, Name);
}
