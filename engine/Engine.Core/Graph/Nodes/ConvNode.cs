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

    public override IEnumerable<WeightData> Weights() => Pack(winograd: false);

    /// <summary>
    /// The packings of <see cref="Weights()"/>, plus the Winograd one (4x the direct one for 1x3x3, 2x for
    /// 3x1x1) when this convolution is eligible and worth it (<see cref="WinogradConv.Pays"/> with
    /// <see cref="CompileOptions.WinogradMinFlops"/>).
    /// </summary>
    public override IEnumerable<WeightData> Weights(IReadOnlyList<TensorSpec> inputs, CompileOptions options)
    {
        var y = InferOutputs(inputs)[0].Shape;
        return Pack(Spec.IsWinogradEligible && WinogradConv.Pays(Spec, y, options.WinogradMinFlops));
    }

    private IEnumerable<WeightData> Pack(bool winograd)
    {
        var w = weight();
        yield return new WeightData("weight", Spec.PackedWeightShape, Spec.PackWeights(w));
        // Whether the unfolded form runs is known only when the graph compiles (its scratch must fit
        // one binding), so both packings are kept: the unfolded one is small (a stem's 3 input channels).
        if (Spec.UnfoldsWidth)
            yield return new WeightData("unfolded_weight", Spec.WidthUnfolded.PackedWeightShape, Spec.PackUnfoldedWeights(w));
        // Winograd runs only when its scratch fits, which is known when the graph compiles: the direct
        // packing stays too.
        if (winograd)
            yield return new WeightData("winograd_weight", WinogradConv.WeightShape(Spec, WinogradConv.TileFor(Spec)), WinogradConv.PackWeights(Spec, w, WinogradConv.TileFor(Spec)));
        var b = ChannelsLast.PadVector(bias());
        yield return new WeightData("bias", new Shape(b.Length), b);
    }

    /// <summary>
    /// The width-unfolded input of a narrow-input convolution (the stem), or the Winograd matrices of a
    /// 1x3x3 or 3x1x1 one, when one binding can hold it.
    /// </summary>
    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs)
    {
        if (Spec.IsWinogradEligible)
            return WinogradConv.ScratchBytes(device, Spec, inputs[0].Shape, WinogradConv.TileFor(Spec));
        if (!Spec.UnfoldsWidth)
            return 0;
        var bytes = Conv.UnfoldScratchBytes(Spec, inputs[0].Shape);
        return bytes <= device.Limits.maxStorageBufferRange ? bytes : 0;
    }

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var residualInput = tensors.Inputs.Count > 1 ? tensors.Inputs[1] : null;
        if (Spec.IsWinogradEligible)
        {
            return new Conv(device, Spec, tensors.Inputs[0], tensors.Weight("weight"), tensors.OptionalWeight("winograd_weight"),
                tensors.Outputs[0], tensors.Scratch, tensors.Weight("bias"), residualInput, relu, Name);
        }
        return tensors.Scratch is { } scratch
            ? new Conv(device, Spec, tensors.Inputs[0], tensors.Weight("unfolded_weight"), tensors.Outputs[0], scratch, tensors.Weight("bias"), residualInput, relu, Name)
            : new Conv(device, Spec, tensors.Inputs[0], tensors.Weight("weight"), tensors.Outputs[0], tensors.Weight("bias"), residualInput, relu, name: Name);
    }
}
