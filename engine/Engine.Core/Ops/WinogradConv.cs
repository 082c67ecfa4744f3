using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A stride-1 convolution whose kernel is 3 or 1 along each axis (<see cref="ConvSpec.IsWinogradEligible"/>:
/// 1x3x3 and 3x1x1) as Winograd (Lavin &amp; Gray): each kernel-3 axis is transformed with m = 2 or 4
/// outputs per tile and a patch of alpha = m + 2 inputs, F(m, 3); each kernel-1 axis is passed through
/// (m = alpha = 1). An input transform turns every patch into PATCH = alpha_T * alpha_H * alpha_W
/// matrices V_e (tiles, Cp_in) (shaders/ops/winograd_input.comp), one batched <see cref="Gemm"/> gives
/// every M_e = V_e x U_e with the host-transformed weights U_e (<see cref="PackWeights"/>), and an output
/// transform adds the direct kernel's epilogue (shaders/ops/winograd_output.comp). 1x3x3: F(2x2, 3x3)
/// multiplies 16 times per 4 outputs, F(4x4) 36 per 16, against 9 per output directly; 3x1x1: F(2, 3)
/// 4 per 2 and F(4, 3) 6 per 4, against 3. The tile follows from the packed weights. V and M live in a
/// caller-given scratch of <see cref="ScratchBytes"/>, each matrix at a bindable offset.
/// </summary>
public sealed class WinogradConv : IOp
{
    /// <summary>
    /// Rows of each packed weight matrix are padded to a multiple of this, so every matrix starts at a
    /// multiple of 256 bytes (Cp_out * 4 bytes per row is a multiple of 16): the largest binding
    /// alignment Vulkan allows, known when the weights are packed, before any device is.
    /// </summary>
    private const int WeightRowQuantum = 16;

    private const int LocalSize = 64;

    /// <summary>
    /// The smallest convolution (direct FLOPs) worth the transforms on lavapipe: below it the two
    /// transform passes over memory cost more than the multiplications they save. With the GEMMs batched
    /// (3 dispatches per layer) that point is low; ResNet-50's and I3D R50's stride-1 3x3 layers all pay
    /// (docs/bench-log.md, 2026-12-05). The packed weights are 4x (F(4x4)) the direct ones.
    /// </summary>
    public const double DefaultMinFlops = 0.1e9;

    /// <summary>
    /// The share of the minimum FLOPs a 3x1x1 convolution needs: its transforms move 6 inputs per 4
    /// outputs, not 36 per 16, so they pay on smaller layers (docs/bench-log.md, 2026-12-05).
    /// </summary>
    private const double TemporalMinFlopsShare = 0.75;

    private readonly List<Action<CommandList>> _dispatches = [];

    public WinogradConv(Device device, ConvSpec spec, Tensor input, Tensor weight, Tensor output, Tensor scratch, Tensor? bias = null,
        Tensor? residual = null, bool relu = false, string name = "conv")
    {
        Name = name;
        Spec = spec;
        var what = $"{name} ({spec}, Winograd)";
        if (!spec.IsWinogradEligible)
            throw new EngineException($"{what}: only 1x3x3 and 3x1x1 stride-1 undilated ungrouped convolutions, unpadded along their kernel-1 axes, run as Winograd.");
        ChannelsLast.Require(what, "input", input);
        ChannelsLast.Require(what, "output", output);
        var tile = TileOf(spec, weight.Shape);
        Variant = $"winograd f{tile}";
        var (cin, cout) = (input.Shape[4], ChannelsLast.Padded(spec.OutChannels));
        if (cin != ChannelsLast.Padded(spec.InChannels))
            throw new EngineException($"{what}: input {input.Shape} must have {ChannelsLast.Padded(spec.InChannels)} channels.");
        var outSize = spec.OutputSize(new Size3(input.Shape[1], input.Shape[2], input.Shape[3]));
        var expected = new Shape(input.Shape[0], outSize.T, outSize.H, outSize.W, cout);
        if (output.Shape != expected)
            throw new EngineException($"{what}: input {input.Shape} gives output {expected}, not {output.Shape}.");
        if (weight.Shape != WeightShape(spec, tile) || !weight.IsContiguous)
            throw new EngineException($"{what}: packed weight {weight.Shape} must be {WeightShape(spec, 2)} or {WeightShape(spec, 4)} (see WinogradConv.PackWeights).");
        if (bias is not null && bias.ElementCount != cout)
            throw new EngineException($"{what}: bias {bias.Shape} must have {cout} elements.");
        if (residual is not null && (residual.Shape != output.Shape || !residual.IsContiguous))
            throw new EngineException($"{what}: residual {residual.Shape} must match output {output.Shape}.");
        var layout = Layout.Of(device, spec, input.Shape, tile);
        if (layout is null)
            throw new EngineException($"{what}: input {input.Shape} needs more scratch than one binding holds; run the direct kernel.");
        var (alphas, matrices, tiles, tileGrid, slabV, slabM) = layout.Value;
        var alignment = device.BindingAlignment;
        if (weight.ByteOffset % alignment != 0)
            throw new EngineException($"{what}: weight must start at a multiple of {alignment} bytes.");

        var cursor = new ScratchCursor(name, scratch, alignment);
        var allV = cursor.Take("V", new Shape(checked((int)(matrices * slabV))));
        var allM = cursor.Take("M", new Shape(checked((int)(matrices * slabM))));
        var input4 = device.Pipeline("ops/winograd_input", SpecConstant.Int(0, alphas.T), SpecConstant.Int(1, alphas.H), SpecConstant.Int(2, alphas.W));
        var inPush = new InputPush(Int4.Of(new Size3(input.Shape[1], input.Shape[2], input.Shape[3]), cin / 4), Int4.Of(tileGrid, tiles),
            Int4.Of(spec.Padding, (int)(slabV / 4)));
        var inGrid = StridedCopy.FlatGrid(device, Groups.Cover((long)tiles * cin / 4, LocalSize));
        _dispatches.Add(list => list.Dispatch(input4, inGrid, inPush, input, allV));

        // One GEMM for all matrices: V_e and M_e are slabs of the scratch, U_e the padded weight matrices.
        var v = new Tensor(allV.Buffer, allV.ByteOffset, new Shape(matrices, tiles, cin), DataType.Float32, $"{name} V", [slabV, cin, 1]);
        var u = new Tensor(weight.Buffer, weight.ByteOffset, new Shape(matrices, cin, cout), weight.Type, $"{name} U", [(long)weight.Shape[1] * cout, cout, 1]);
        var m = new Tensor(allM.Buffer, allM.ByteOffset, new Shape(matrices, tiles, cout), DataType.Float32, $"{name} M", [slabM, cout, 1]);
        var gemm = new Gemm(device, v, u, m, tileM: ConvDefaults.RowTile(tiles), tileN4: ConvDefaults.ColumnTile(cout / 4), name: $"{name} gemm");
        _dispatches.Add(gemm.Record);

        var output4 = device.Pipeline("ops/winograd_output", SpecConstant.Bool(0, bias is not null), SpecConstant.Bool(1, residual is not null),
            SpecConstant.Bool(2, relu), SpecConstant.Int(3, alphas.T), SpecConstant.Int(4, alphas.H), SpecConstant.Int(5, alphas.W));
        var outPush = new OutputPush(Int4.Of(outSize, cout / 4), Int4.Of(tileGrid, tiles), new Int4((int)(slabM / 4)));
        var outGrid = StridedCopy.FlatGrid(device, Groups.Cover((long)tiles * cout / 4, LocalSize));
        // Absent optional inputs are bound to M: the shader never reads them.
        var biasOrAny = bias ?? allM;
        var residualOrAny = residual ?? allM;
        _dispatches.Add(list => list.Dispatch(output4, outGrid, outPush, allM, output, biasOrAny, residualOrAny));
        Flops = spec.Flops((long)input.Shape[0] * outSize.Volume);
    }

    public string Name { get; }

    public ConvSpec Spec { get; }

    /// <summary>`winograd f2` or `winograd f4`: the outputs per tile along each transformed axis.</summary>
    public string Variant { get; }

    /// <summary>The direct convolution's arithmetic (so GFLOP/s compare with it), not the fewer multiplications done.</summary>
    public double Flops { get; }

    /// <summary>
    /// Bytes of scratch (V then M) for a channels-last <paramref name="input"/> with output tiles of
    /// <paramref name="tile"/> along each transformed axis, or 0 when the spec is not eligible, V or M would not fit one
    /// storage-buffer binding and one texel buffer, or a transform would have 2^21 invocations or more (then the direct kernel runs).
    /// </summary>
    public static long ScratchBytes(Device device, ConvSpec spec, Shape input, int tile) =>
        spec.IsWinogradEligible && Layout.Of(device, spec, input, tile) is { } layout ? layout.Bytes : 0;

    /// <summary>Shape of the packed weights: one matrix per patch element (Cp_in rows padded, Cp_out).</summary>
    public static Shape WeightShape(ConvSpec spec, int tile) =>
        new(checked((int)Alphas(spec, tile).Volume), (ChannelsLast.Padded(spec.InChannels) + WeightRowQuantum - 1) / WeightRowQuantum * WeightRowQuantum,
            ChannelsLast.Padded(spec.OutChannels));

    /// <summary>
    /// Packs PyTorch weights (Cout, Cin, kt, kh, kw) into <see cref="WeightShape"/>: matrix
    /// e = (a * alpha_H + b) * alpha_W + c holds U[a, b, c] = (g x_T G x_H G x_W G)[a, b, c] (G applied along
    /// each kernel-3 axis; a kernel-1 axis keeps its single tap) of every (ci, co) at row ci, column co;
    /// padding rows and columns are zero. F(2, 3): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]; F(4, 3):
    /// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]. Computed in
    /// double, rounded once.
    /// </summary>
    public static float[] PackWeights(ConvSpec spec, ReadOnlySpan<float> weights, int tile)
    {
        if (!spec.IsWinogradEligible)
            throw new EngineException($"Convolution {spec} does not run as Winograd.");
        var (cin, cout, taps) = (spec.InChannels, spec.OutChannels, (int)spec.Kernel.Volume);
        if (weights.Length != (long)cout * cin * taps)
            throw new EngineException($"Convolution {spec}: {weights.Length} weights given, expected {cout}x{cin}x{spec.Kernel} = {(long)cout * cin * taps}.");
        double[,] g = CheckTile(tile) == 2
            ? new double[,] { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } }
            : new double[,] { { 0.25, 0, 0 }, { -1 / 6.0, -1 / 6.0, -1 / 6.0 }, { -1 / 6.0, 1 / 6.0, -1 / 6.0 }, { 1 / 24.0, 1 / 12.0, 1 / 6.0 }, { 1 / 24.0, -1 / 12.0, 1 / 6.0 }, { 0, 0, 1 } };
        double[,] one = { { 1 } };
        var (gt, gh, gw) = (spec.Kernel.T == 3 ? g : one, spec.Kernel.H == 3 ? g : one, spec.Kernel.W == 3 ? g : one);
        var alphas = Alphas(spec, tile);
        var shape = WeightShape(spec, tile);
        var (rows, cols) = (shape[1], shape[2]);
        var packed = new float[shape.ElementCount];
        for (var co = 0; co < cout; co++)
        {
            for (var ci = 0; ci < cin; ci++)
            {
                var k = weights.Slice((co * cin + ci) * taps, taps);
                var u = new double[taps];
                for (var i = 0; i < taps; i++)
                    u[i] = k[i];
                // G along W, then H, then T: (kt, kh, kw) -> (kt, kh, aW) -> (kt, aH, aW) -> (aT, aH, aW).
                u = Apply(gw, u, spec.Kernel.T * spec.Kernel.H, spec.Kernel.W, 1);
                u = Apply(gh, u, spec.Kernel.T, spec.Kernel.H, alphas.W);
                u = Apply(gt, u, 1, spec.Kernel.T, alphas.H * alphas.W);
                for (var e = 0; e < u.Length; e++)
                    packed[((long)e * rows + ci) * cols + co] = (float)u[e];
            }
        }
        return packed;
    }

    /// <summary>Applies the (alpha, kernel) matrix <paramref name="g"/> along the middle axis of (outer, kernel, inner) values.</summary>
    private static double[] Apply(double[,] g, double[] values, int outer, int kernel, int inner)
    {
        var alpha = g.GetLength(0);
        var result = new double[outer * alpha * inner];
        for (var o = 0; o < outer; o++)
        {
            for (var a = 0; a < alpha; a++)
            {
                for (var i = 0; i < inner; i++)
                {
                    var sum = 0.0;
                    for (var l = 0; l < kernel; l++)
                        sum += g[a, l] * values[(o * kernel + l) * inner + i];
                    result[(o * alpha + a) * inner + i] = sum;
                }
            }
        }
        return result;
    }

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    /// <summary>
    /// The patch per axis, the matrices (patch elements), the tiles in all and along each axis, and the
    /// per-matrix slab sizes (floats, each a multiple of the binding alignment) of V and M.
    /// </summary>
    private readonly record struct Layout(Size3 Patch, int Matrices, int Tiles, Size3 TileGrid, long SlabV, long SlabM)
    {
        public long Bytes => Matrices * (SlabV + SlabM) * sizeof(float);

        public static Layout? Of(Device device, ConvSpec spec, Shape input, int tile)
        {
            var alphas = Alphas(spec, tile);
            var matrices = (int)alphas.Volume;
            var outSize = spec.OutputSize(new Size3(input[1], input[2], input[3]));
            static int Cover(int extent, int alpha) => alpha == 1 ? extent : (extent + alpha - 3) / (alpha - 2);
            var grid = new Size3(Cover(outSize.T, alphas.T), Cover(outSize.H, alphas.H), Cover(outSize.W, alphas.W));
            var tiles = input[0] * grid.Volume;
            var alignFloats = (long)device.BindingAlignment / sizeof(float);
            long Slab(int channels) => (tiles * channels + alignFloats - 1) / alignFloats * alignFloats;
            var (slabV, slabM) = (Slab(input[4]), Slab(ChannelsLast.Padded(spec.OutChannels)));
            // The input transform writes V and the GEMM reads it through one binding each, the GEMM
            // writes M and the output transform reads it likewise: each must fit a storage binding and
            // a texel buffer. The GEMM's grid covers the row tiles in y; the transforms split their flat
            // (tile, channel texel) index with divmod_small.
            var limits = device.Limits;
            var larger = matrices * Math.Max(slabV, slabM);
            if (larger * sizeof(float) > limits.maxStorageBufferRange || larger / 4 > limits.maxTexelBufferElements)
                return null;
            var outputBytes = (long)input[0] * outSize.Volume * ChannelsLast.Padded(spec.OutChannels) * sizeof(float);
            if (outputBytes > limits.maxStorageBufferRange || tiles > (long)device.MaxGroupsY * ConvDefaults.SmallTileM
                || TransformInvocations(tiles, input[4], spec.OutChannels) >= DivmodSmall.Limit)
                return null;
            return new Layout(alphas, matrices, (int)tiles, grid, slabV, slabM);
        }
    }

    /// <summary>
    /// Invocations of the larger transform: one per tile and channel texel. V and M take 4 bytes per
    /// channel for each of 6 (or 16, 36) matrices, so with a 128 MiB binding they are refused before this
    /// reaches the 2^21 of divmod_small; devices with larger bindings meet this bound.
    /// </summary>
    internal static long TransformInvocations(long tiles, int inChannelsPadded, int outChannels) =>
        tiles * Math.Max(inChannelsPadded, ChannelsLast.Padded(outChannels)) / 4;

    /// <summary>
    /// The tile a convolution of <paramref name="spec"/> uses (its weights are packed for it): 4 outputs
    /// along each transformed axis for every layer. F(4x4, 3x3) does 1.8x fewer multiplications than
    /// F(2x2) and moves 1.8x less V and M per output; its larger transforms cost more per tile on
    /// lavapipe, but it was never clearly slower on the I3D R50 1x3x3 layers, and its rounding error
    /// (transform entries up to 8) keeps the full ResNet-50 and NL I3D R50 within the 1e-4 parity
    /// tolerance. F(2, 3) saves only a third of the multiplications but writes and reads twice the
    /// input and output in V and M; F(4, 3) halves them, moves 1.5x, and 8 frames are exactly two of its
    /// tiles: it was faster on every I3D R50 3x1x1 layer (docs/bench-log.md, 2026-11-22).
    /// </summary>
    public static int TileFor(ConvSpec spec) => 4;

    /// <summary>
    /// Whether an eligible convolution of <paramref name="spec"/> with channels-last
    /// <paramref name="output"/> is worth running as Winograd: at least <paramref name="minFlops"/> of
    /// direct arithmetic (1x3x3), or <see cref="TemporalMinFlopsShare"/> of it and whole tiles of output
    /// frames (3x1x1: a partial tile wastes a quarter or more of its arithmetic, while the direct kernel
    /// skips the padded frames; docs/bench-log.md, 2026-11-22).
    /// </summary>
    public static bool Pays(ConvSpec spec, Shape output, double minFlops)
    {
        var flops = spec.Flops((long)output[0] * output[1] * output[2] * output[3]);
        return spec.Kernel.T == 3 ? output[1] % TileFor(spec) == 0 && flops >= minFlops * TemporalMinFlopsShare : flops >= minFlops;
    }

    /// <summary>
    /// Whether the transformed weights of <paramref name="tile"/> may be stored as fp16
    /// (<see cref="Graph.CompileOptions.WeightStorage"/>): F(2x2)'s output transform has entries of 0 and
    /// +-1, so their rounding reaches the output about as a direct kernel's does; F(4x4)'s entries up to 8
    /// amplify it to about 4e-3 of the output's scale (HalfWeightTests), too far from the network the
    /// user trained, so F(4x4) keeps fp32 transformed weights.
    /// </summary>
    public static bool StoresHalfWeights(int tile) => tile == 2;

    /// <summary>The tile packed weights of <paramref name="shape"/> were transformed for.</summary>
    public static int TileOf(ConvSpec spec, Shape shape) => shape.Rank == 3 && shape[0] == Alphas(spec, 4).Volume ? 4 : 2;

    /// <summary>The patch along each axis: tile + 2 where the kernel is 3 (transformed), 1 where it is 1 (passed through).</summary>
    private static Size3 Alphas(ConvSpec spec, int tile)
    {
        int Alpha(int kernel) => kernel == 3 ? CheckTile(tile) + 2 : 1;
        return new Size3(Alpha(spec.Kernel.T), Alpha(spec.Kernel.H), Alpha(spec.Kernel.W));
    }

    private static int CheckTile(int tile) =>
        tile is 2 or 4 ? tile : throw new EngineException($"Winograd tiles are 2 or 4 outputs per transformed axis, not {tile}.");

    private readonly record struct InputPush(Int4 InDims, Int4 Tiles, Int4 Pad);

    private readonly record struct OutputPush(Int4 OutDims, Int4 Tiles, Int4 Slab);
}
