namespace Engine.Ops;

/// <summary>
/// What a 2D transposed convolution computes, as PyTorch's ConvTranspose2d with dilation 1 and one
/// group: channels, kernel, stride, padding and output padding (H, W). It also knows the packed weight
/// layout <see cref="ConvTranspose"/> reads, and packs PyTorch's (in, out, kh, kw) weights into it.
/// </summary>
public sealed record ConvTransposeSpec
{
    public ConvTransposeSpec(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding = default,
        (int H, int W) outputPadding = default)
    {
        (InChannels, OutChannels, Kernel, Stride, Padding, OutputPadding) = (inChannels, outChannels, kernel, stride, padding, outputPadding);
        if (inChannels <= 0 || outChannels <= 0 || kernel.H <= 0 || kernel.W <= 0 || stride.H <= 0 || stride.W <= 0)
            throw new EngineException($"Transposed convolution {this}: channels, kernel and stride must be positive.");
        if (padding.H < 0 || padding.W < 0 || outputPadding.H < 0 || outputPadding.W < 0 || outputPadding.H >= stride.H || outputPadding.W >= stride.W)
            throw new EngineException($"Transposed convolution {this}: padding must be non-negative and output padding smaller than the stride.");
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public (int H, int W) Kernel { get; }

    public (int H, int W) Stride { get; }

    public (int H, int W) Padding { get; }

    public (int H, int W) OutputPadding { get; }

    public int Taps => Kernel.H * Kernel.W;

    /// <summary>Packed weights: (Cin padded to 4, taps * Cout padded to 4), column (ky * kw + kx) * Coutp + co.</summary>
    public Gpu.Shape PackedWeightShape => new(ChannelsLast.Padded(InChannels), Taps * ChannelsLast.Padded(OutChannels));

    public (int H, int W) OutputSize(int h, int w)
    {
        var size = (Out(h, Kernel.H, Stride.H, Padding.H, OutputPadding.H), Out(w, Kernel.W, Stride.W, Padding.W, OutputPadding.W));
        if (size.Item1 <= 0 || size.Item2 <= 0)
            throw new EngineException($"Transposed convolution {this}: an input of {h}x{w} leaves no output.");
        return size;
    }

    /// <summary>Multiply-adds of every input pixel with every tap, as the GEMM computes them.</summary>
    public double Flops(long inputPixels) => 2.0 * inputPixels * InChannels * OutChannels * Taps;

    /// <summary>Packs PyTorch weights (in, out, kh, kw), C order, into <see cref="PackedWeightShape"/>; padding is zero.</summary>
    public float[] PackWeights(ReadOnlySpan<float> weights)
    {
        if (weights.Length != (long)InChannels * OutChannels * Taps)
            throw new EngineException($"Transposed convolution {this}: {weights.Length} weights given, expected {InChannels}x{OutChannels}x{Kernel.H}x{Kernel.W}.");
        var coutp = ChannelsLast.Padded(OutChannels);
        var cols = Taps * coutp;
        var packed = new float[PackedWeightShape.ElementCount];
        for (var ci = 0; ci < InChannels; ci++)
        {
            for (var co = 0; co < OutChannels; co++)
            {
                for (var tap = 0; tap < Taps; tap++)
                    packed[(long)ci * cols + tap * coutp + co] = weights[(ci * OutChannels + co) * Taps + tap];
            }
        }
        return packed;
    }

    public override string ToString() =>
        $"{InChannels}->{OutChannels} k{Kernel.H}x{Kernel.W} s{Stride.H}x{Stride.W} p{Padding.H}x{Padding.W}"
        + (OutputPadding != default ? $" op{OutputPadding.H}x{OutputPadding.W}" : "");

    private static int Out(int input, int kernel, int stride, int pad, int outputPad) => (input - 1) * stride - 2 * pad + kernel + outputPad;
}
