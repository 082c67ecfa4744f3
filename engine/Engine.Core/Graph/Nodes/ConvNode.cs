using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A convolution (<see cref="Conv"/>) on channels-last activations with its folded-BN bias, and
/// optionally the residual add and ReLU fused in. Weights come in PyTorch layout from
/// <paramref name="weight"/> and <paramref name="bias"/> (read only when the graph compiles) and are
/// packed by <see cref="ConvSpec.PackWeights"/>.
/// </summary>
public sealed class ConvNode(string name, string input, string output, ConvSpec spec, Func<float[]> weight, Func<float[]> bias,
    string? residual = null, bool relu = false)
    : Node(name, residual is null ? [input] : [input, residual], [output])
{
    public ConvSpec Spec { get; } = spec;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels != Spec.InChannels)
            throw ShapeError(inputs, $"expected a channels-last (N, T, H, W, Cp) activation of {Spec.InChannels} channels for {Spec}");
        var size = Spec.OutputSize(new Size3(x.Shape[1], x.Shape[2], x.Shape[3]));
        if (size.T <= 0 || size.H <= 0 || size.W <= 0)
            throw ShapeError(inputs, $"{Spec} leaves no output ({size})");
        var y = TensorSpec.Activation(x.Shape[0], size.T, size.H, size.W, Spec.OutChannels);
        if (inputs.Count > 1 && inputs[1] != y)
            throw ShapeError(inputs, $"the residual must match the output {y}");
        return [y];
    }

    public override IEnumerable<WeightData> Weights()
    {
        yield return new WeightData("weight", Spec.PackedWeightShape, Spec.PackWeights(weight()));
        var b = ChannelsLast.PadVector(bias());
        yield return new WeightData("bias", new Shape(b.Length), b);
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new Conv(device, Spec, tensors.Inputs[0], tensors.Weight("weight"), tensors.Outputs[0], tensors.Weight("bias"),
            tensors.Inputs.Count > 1 ? tensors.Inputs[1] : null, relu, name: Name);
}
