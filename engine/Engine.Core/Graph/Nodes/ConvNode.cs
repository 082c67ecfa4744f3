using Engine.Gpu;
using Engine.Ops;
using Engine.Tuning;

namespace Engine.Graph.Nodes;

/// <summary>
/// A convolution (<see cref="Conv"/>) on channels-last activations with its folded-BN bias, and
/// optionally the residual add and ReLU fused in. Weights come in PyTorch layout from
/// <paramref name="weight"/> and <paramref name="bias"/> (read only when the graph compiles) and are
/// packed by <see cref="ConvSpec.PackWeights"/>, plus the packing its variant needs. The variant is the
/// tuner's choice for this shape (<see cref="CompileOptions.Variants"/>, by <see cref="TuningKey"/>)
/// when it has one that applies, else today's rules (<see cref="DefaultVariant"/>).
/// </summary>
public sealed class ConvNode(string name, string input, string output, ConvSpec spec, Func<float[]> weight, Func<float[]> bias,
    string? residual = null, bool relu = false)
    : Node(name, residual is null ? [input] : [input, residual], [output]), ITunableNode
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

    /// <summary>The shape key: `conv`, the spec (channels, kernel, stride, padding, dilation, groups) and the input shape.</summary>
    public string TuningKey(IReadOnlyList<TensorSpec> inputs, CompileOptions options) => Key(inputs[0].Shape, options);

    private string Key(Shape input, CompileOptions options) => $"conv {Spec} in {input}{options.TuningKeySuffix}";

    public IReadOnlyList<string> Candidates(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options)
    {
        var x = inputs[0].Shape;
        var y = InferOutputs(inputs)[0].Shape;
        var unfolds = Spec.UnfoldsWidth && UnfoldScratch(device, x) > 0;
        // What today's rules run on this device: Winograd only where its scratch fits, else the direct kernel.
        var today = DefaultVariant(y, options);
        if (today.Algorithm == ConvAlgorithm.Winograd && WinogradConv.ScratchBytes(device, Spec, x, today.WinogradTile) == 0)
            today = TiledDefault(y, ConvAlgorithm.Direct);
        else if (today.Algorithm == ConvAlgorithm.Unfolded && !unfolds)
            today = TiledDefault(y, ConvAlgorithm.Direct);
        ConvAlgorithm? tiled = Spec.Groups > 1 ? null : Spec.IsPointwise ? ConvAlgorithm.Gemm : unfolds ? ConvAlgorithm.Unfolded : ConvAlgorithm.Direct;
        return [.. ConvCandidates.For(device, Spec, x, today, tiled).Select(v => v.ToString())];
    }

    /// <summary>
    /// Today's rules: grouped convolutions run the grouped kernel; eligible ones that pay
    /// (<see cref="WinogradConv.Pays"/> with <see cref="CompileOptions.WinogradMinFlops"/>) run Winograd with
    /// <see cref="WinogradConv.TileFor"/>; 1x1x1 ones a GEMM, RGB stems the width unfold, the rest the direct
    /// kernel, all with <see cref="ConvDefaults"/>' tiles for the output <paramref name="output"/>.
    /// </summary>
    public ConvVariant DefaultVariant(Shape output, CompileOptions options)
    {
        if (Spec.Groups > 1)
            return ConvVariant.Grouped;
        if (Spec.IsWinogradEligible && WinogradConv.Pays(Spec, output, options.WinogradMinFlops))
            return ConvVariant.Winograd(WinogradConv.TileFor(Spec));
        return TiledDefault(output, Spec.IsPointwise ? ConvAlgorithm.Gemm : Spec.UnfoldsWidth ? ConvAlgorithm.Unfolded : ConvAlgorithm.Direct);
    }

    private ConvVariant TiledDefault(Shape output, ConvAlgorithm algorithm) =>
        new(algorithm, ConvDefaults.RowTile((long)output[0] * output[1] * output[2] * output[3]), ConvDefaults.ColumnTile(output[4] / 4));

    /// <summary>The variant a compile with <paramref name="options"/> runs for <paramref name="input"/>: the tuned one if it applies to this convolution, else today's.</summary>
    private ConvVariant Variant(Shape input, CompileOptions options)
    {
        var output = InferOutputs([TensorSpec.Activation(input[0], input[1], input[2], input[3], Spec.InChannels)])[0].Shape;
        return options.Variants?.GetValueOrDefault(Key(input, options)) is { } text && ConvVariant.Parse(text) is { } chosen && Applies(chosen)
            ? chosen
            : DefaultVariant(output, options);
    }

    /// <summary>Whether <paramref name="variant"/> can run this convolution (a cache entry is only trusted that far).</summary>
    private bool Applies(ConvVariant variant) => variant.Algorithm switch
    {
        ConvAlgorithm.Grouped => Spec.Groups > 1,
        ConvAlgorithm.Winograd => Spec.IsWinogradEligible,
        ConvAlgorithm.Gemm => Spec.IsPointwise && TilesInRange(variant),
        ConvAlgorithm.SharedGemm => Spec.IsPointwise && BlockInRange(variant),
        ConvAlgorithm.SharedDirect => Spec.Groups == 1 && !Spec.IsPointwise && BlockInRange(variant),
        ConvAlgorithm.Unfolded => Spec.UnfoldsWidth && TilesInRange(variant),
        _ => Spec.Groups == 1 && !Spec.IsPointwise && TilesInRange(variant),
    };

    // Only the tiles the tuner times (and the parity tests cover); another would only come from an edited file.
    private static bool TilesInRange(ConvVariant v) => Tuning.ConvCandidates.TileMs.Contains(v.TileM) && Tuning.ConvCandidates.TileN4s.Contains(v.TileN4);

    private static bool BlockInRange(ConvVariant v) => Tuning.ConvCandidates.SharedBlocks.Contains((v.TileM, v.TileN4));

    /// <summary>Without a device to decide on: the direct packing and, for a stem, the unfolded one (either may run).</summary>
    public override IEnumerable<WeightData> Weights() => Pack(direct: true, unfolded: Spec.UnfoldsWidth, winogradTile: null);

    /// <summary>
    /// Only the packing the variant of this compile reads on <paramref name="device"/>: Winograd's for its
    /// tile (4x the direct one for F(4x4) 1x3x3, 2x for 3x1x1) or a stem's unfolded one when that variant's
    /// scratch fits one binding, else the direct one. The graph reserves scratch by the same rule
    /// (<see cref="ScratchBytes(Device, IReadOnlyList{TensorSpec}, CompileOptions)"/>), and
    /// <see cref="CreateOp(Device, NodeTensors, CompileOptions)"/> falls back to the direct kernel exactly when it gave none.
    /// </summary>
    public override IEnumerable<WeightData> Weights(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options)
    {
        var x = inputs[0].Shape;
        var variant = Variant(x, options);
        if (variant.Algorithm == ConvAlgorithm.Winograd && WinogradConv.ScratchBytes(device, Spec, x, variant.WinogradTile) > 0)
            return Pack(direct: false, unfolded: false, variant.WinogradTile);
        if (variant.Algorithm == ConvAlgorithm.Unfolded && UnfoldScratch(device, x) > 0)
            return Pack(direct: false, unfolded: true, winogradTile: null);
        return Pack(direct: true, unfolded: false, winogradTile: null);
    }

    private IEnumerable<WeightData> Pack(bool direct, bool unfolded, int? winogradTile)
    {
        var w = weight();
        // The grouped kernel has no half-precision build; every other form reads its packing through one.
        var half = Spec.Groups == 1;
        if (direct)
            yield return new WeightData("weight", Spec.PackedWeightShape, Spec.PackWeights(w), half);
        if (unfolded)
            yield return new WeightData("unfolded_weight", Spec.WidthUnfolded.PackedWeightShape, Spec.PackUnfoldedWeights(w), half);
        if (winogradTile is { } tile)
        {
            yield return new WeightData("winograd_weight", WinogradConv.WeightShape(Spec, tile), WinogradConv.PackWeights(Spec, w, tile),
                half && WinogradConv.StoresHalfWeights(tile));
        }
        var b = ChannelsLast.PadVector(bias());
        yield return new WeightData("bias", new Shape(b.Length), b);
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) => ScratchBytes(device, inputs, new CompileOptions());

    /// <summary>
    /// The Winograd matrices of its tile when the variant is Winograd, or the width-unfolded input of a
    /// narrow-input convolution (the stem) running unfolded, when one binding can hold it; else none.
    /// </summary>
    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options)
    {
        var variant = Variant(inputs[0].Shape, options);
        return variant.Algorithm switch
        {
            ConvAlgorithm.Winograd => WinogradConv.ScratchBytes(device, Spec, inputs[0].Shape, variant.WinogradTile),
            ConvAlgorithm.Unfolded => UnfoldScratch(device, inputs[0].Shape),
            _ => 0,
        };
    }

    private long UnfoldScratch(Device device, Shape input)
    {
        var bytes = Conv.UnfoldScratchBytes(Spec, input);
        return bytes <= device.Limits.maxStorageBufferRange ? bytes : 0;
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) => CreateOp(device, tensors, new CompileOptions());

    public override IOp CreateOp(Device device, NodeTensors tensors, CompileOptions options)
    {
        var (x, y) = (tensors.Inputs[0], tensors.Outputs[0]);
        var residualInput = tensors.Inputs.Count > 1 ? tensors.Inputs[1] : null;
        var variant = Variant(x.Shape, options);
        var (tileM, tileN4) = variant.HasTile ? (variant.TileM, variant.TileN4) : ((int?)null, (int?)null);
        return variant.Algorithm switch
        {
            // Falls back to the direct kernel (today's tiles) when the scratch did not fit.
            ConvAlgorithm.Winograd => new Conv(device, Spec, x, tensors.OptionalWeight("weight"), tensors.OptionalWeight("winograd_weight"), y, tensors.Scratch,
                tensors.Weight("bias"), residualInput, relu, Name),
            ConvAlgorithm.Unfolded when tensors.Scratch is { } scratch => new Conv(device, Spec, x, tensors.Weight("unfolded_weight"), y, scratch,
                tensors.Weight("bias"), residualInput, relu, Name, tileM, tileN4),
            ConvAlgorithm.Unfolded => new Conv(device, Spec, x, tensors.Weight("weight"), y, tensors.Weight("bias"), residualInput, relu, name: Name),
            _ => new Conv(device, Spec, x, tensors.Weight("weight"), y, tensors.Weight("bias"), residualInput, relu, tileM, tileN4, Name, variant.Tiling),
        };
    }
}
