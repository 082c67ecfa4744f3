namespace Engine.Ops;

/// <summary>
/// What a convolution computes, independent of tensors: channels, kernel, stride, padding (symmetric
/// per axis), dilation and groups, as in PyTorch's Conv1d/2d/3d (1D and 2D use unit T, or T and H).
/// It also knows the packed weight layout the kernels read, and packs PyTorch weights into it.
/// </summary>
public sealed record ConvSpec
{
    public ConvSpec(int inChannels, int outChannels, Size3 kernel, Size3? stride = null, Size3? padding = null, Size3? dilation = null, int groups = 1)
    {
        (InChannels, OutChannels, Kernel, Groups) = (inChannels, outChannels, kernel, groups);
        Stride = stride ?? Size3.Cube(1);
        Padding = padding ?? Size3.Cube(0);
        Dilation = dilation ?? Size3.Cube(1);
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new EngineException($"Convolution {this}: channels must be positive and divisible by the groups.");
        if (Min(kernel) <= 0 || Min(Stride) <= 0 || Min(Dilation) <= 0 || Min(Padding) < 0)
            throw new EngineException($"Convolution {this}: kernel, stride and dilation must be positive and padding non-negative.");
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public Size3 Kernel { get; }

    public Size3 Stride { get; }

    public Size3 Padding { get; }

    public Size3 Dilation { get; }

    public int Groups { get; }

    /// <summary>True for a 1x1x1 stride-1 unpadded ungrouped convolution: a plain GEMM over pixels.</summary>
    public bool IsPointwise => Kernel == Size3.Cube(1) && Stride == Size3.Cube(1) && Padding == Size3.Cube(0) && Groups == 1;

    /// <summary>
    /// True for a stride-1 undilated ungrouped convolution of kernel 1x3x3 (any spatial padding, none
    /// along time) or 3x1x1 (any temporal padding, none in space): it can run as Winograd, F(m x m, 3x3)
    /// in space or F(m, 3) along time (<see cref="Ops.WinogradConv"/>). A 1x3x3 one over a 4-channel
    /// input unfolds its width instead (<see cref="UnfoldsWidth"/>).
    /// </summary>
    public bool IsWinogradEligible => Stride == Size3.Cube(1) && Dilation == Size3.Cube(1) && Groups == 1 && !UnfoldsWidth
        && ((Kernel == new Size3(1, 3, 3) && Padding.T == 0) || (Kernel == new Size3(3, 1, 1) && Padding.H == 0 && Padding.W == 0));

    /// <summary>
    /// True for an ungrouped convolution over one texel of channels per pixel (Cp = 4, the RGB stem)
    /// with a kernel wider than 1: it runs faster as <see cref="WidthUnfolded"/> over an input whose kw
    /// taps were unfolded into channels (shaders/ops/unfold_width.comp), with weights packed by
    /// <see cref="PackUnfoldedWeights"/>.
    /// </summary>
    public bool UnfoldsWidth => Groups == 1 && PackedGroupInputs == 4 && Kernel.W > 1;

    /// <summary>
    /// The kernel-width-1 convolution over the width-unfolded input: kw * Cin channels, tap-major
    /// (channel c * Cin + ci is input channel ci at tap c), padded to 4 only once (24 for an RGB 7-wide
    /// kernel, not 7 * 4 = 28: the padding would be a quarter of the stem's arithmetic).
    /// </summary>
    public ConvSpec WidthUnfolded => new(Kernel.W * InChannels, OutChannels, new Size3(Kernel.T, Kernel.H, 1),
        new Size3(Stride.T, Stride.H, 1), new Size3(Padding.T, Padding.H, 0), new Size3(Dilation.T, Dilation.H, 1));

    /// <summary>The width-unfolded input (N, T, H, Wo, kw * Cin padded to 4) of a channels-last input.</summary>
    public Gpu.Shape UnfoldedInputShape(Gpu.Shape input) =>
        new(input[0], input[1], input[2], Out(input[3], Kernel.W, Stride.W, Padding.W, Dilation.W), ChannelsLast.Padded(Kernel.W * InChannels));

    /// <summary>
    /// Packs PyTorch weights (Cout, Cin, kt, kh, kw) for <see cref="WidthUnfolded"/>: they are the
    /// weights (Cout, kw * Cin, kt, kh, 1) of the unfolded convolution, packed as it packs them.
    /// </summary>
    public float[] PackUnfoldedWeights(ReadOnlySpan<float> weights)
    {
        if (!UnfoldsWidth)
            throw new EngineException($"Convolution {this} does not unfold its width.");
        var (kw, planes) = (Kernel.W, Kernel.T * Kernel.H);
        if (weights.Length != (long)OutChannels * InChannels * Kernel.Volume)
            throw new EngineException($"Convolution {this}: {weights.Length} weights given, expected {OutChannels}x{InChannels}x{Kernel} = {(long)OutChannels * InChannels * Kernel.Volume}.");
        var unfolded = new float[weights.Length];
        for (var co = 0; co < OutChannels; co++)
        {
            for (var ci = 0; ci < InChannels; ci++)
            {
                for (var plane = 0; plane < planes; plane++)
                {
                    for (var c = 0; c < kw; c++)
                        unfolded[((co * kw + c) * InChannels + ci) * planes + plane] = weights[((co * InChannels + ci) * planes + plane) * kw + c];
                }
            }
        }
        return WidthUnfolded.PackWeights(unfolded);
    }

    /// <summary>Input channels per group as the packed weights hold them: padded to Cp when ungrouped.</summary>
    private int PackedGroupInputs => Groups == 1 ? ChannelsLast.Padded(InChannels) : InChannels / Groups;

    /// <summary>Shape of the packed weights: (kt*kh*kw * input channels per group, Cout padded to 4).</summary>
    public Gpu.Shape PackedWeightShape => new(checked((int)(Kernel.Volume * PackedGroupInputs)), ChannelsLast.Padded(OutChannels));

    public Size3 OutputSize(Size3 input) => new(
        Out(input.T, Kernel.T, Stride.T, Padding.T, Dilation.T),
        Out(input.H, Kernel.H, Stride.H, Padding.H, Dilation.H),
        Out(input.W, Kernel.W, Stride.W, Padding.W, Dilation.W));

    public double Flops(long outputPixels) => 2.0 * outputPixels * OutChannels * Kernel.Volume * (InChannels / Groups);

    /// <summary>
    /// Packs PyTorch weights (Cout, Cin/groups, kt, kh, kw), C order, into <see cref="PackedWeightShape"/>:
    /// row (tap * Cg + ci), column co, where tap = (a*kh + b)*kw + c. Padded rows and columns are zero
    /// (an RGB stem's fourth input channel, the channels past Cout).
    /// </summary>
    public float[] PackWeights(ReadOnlySpan<float> weights)
    {
        var cg = InChannels / Groups;
        var taps = (int)Kernel.Volume;
        if (weights.Length != (long)OutChannels * cg * taps)
            throw new EngineException($"Convolution {this}: {weights.Length} weights given, expected {OutChannels}x{cg}x{Kernel} = {(long)OutChannels * cg * taps}.");
        var shape = PackedWeightShape;
        var (rowsPerTap, cols) = (PackedGroupInputs, shape[1]);
        var packed = new float[shape.ElementCount];
        for (var co = 0; co < OutChannels; co++)
        {
            for (var ci = 0; ci < cg; ci++)
            {
                for (var tap = 0; tap < taps; tap++)
                    packed[((long)tap * rowsPerTap + ci) * cols + co] = weights[(co * cg + ci) * taps + tap];
            }
        }
        return packed;
    }

    public override string ToString() =>
        $"{InChannels}->{OutChannels} k{Kernel} s{Stride} p{Padding} d{Dilation}" + (Groups > 1 ? $" g{Groups}" : "");

    private static int Min(Size3 s) => Math.Min(s.T, Math.Min(s.H, s.W));

    private int Out(int input, int kernel, int stride, int pad, int dilation)
    {
        var span = input + 2 * pad - dilation * (kernel - 1) - 1;
        if (span < 0)
            throw new EngineException($"Convolution {this}: an input extent of {input} is smaller than the dilated kernel.");
        return span / stride + 1;
    }
}
