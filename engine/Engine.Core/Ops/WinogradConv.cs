using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A 1x3x3 stride-1 convolution (<see cref="ConvSpec.IsWinogradEligible"/>) as Winograd F(m x m, 3x3)
/// (Lavin &amp; Gray), m = 2 or 4 output rows and columns per tile, alpha = m + 2: an input transform of
/// each alpha x alpha patch into alpha^2 matrices V_e (tiles, Cp_in) (shaders/ops/winograd_input.comp),
/// alpha^2 <see cref="Gemm"/>s M_e = V_e x U_e with the host-transformed weights U_e
/// (<see cref="PackWeights"/>), and an output transform with the direct kernel's epilogue
/// (shaders/ops/winograd_output.comp). F(2x2) multiplies 16 times per 4 outputs, F(4x4) 36 times per
/// 16, against 9 per output directly: 2.25x and 4x fewer. The tile follows from the packed weights.
/// V and M live in a caller-given scratch of <see cref="ScratchBytes"/>, each matrix at a bindable offset.
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
    /// The smallest convolution (direct FLOPs) worth the transforms on lavapipe: Winograd's 38
    /// dispatches and two extra passes over memory cost more than they save on small layers.
    /// `engine bench conv --compare-direct` (Winograd / direct GPU time, alternating in one process):
    /// at 1.85 GFLOP (I3D R50, 8 frames) 0.95 (64 ch), 0.67, 0.63, 0.46 (512 ch); at 0.92 GFLOP
    /// (4 frames) 0.98 (64 ch), 0.61 (512 ch); at 0.46 GFLOP (2 frames) 1.18 (64 ch), 0.84 (256 ch),
    /// 0.97 (512 ch); at 0.23 GFLOP (ResNet-50 at 224x224, one frame) 1.07-1.16 for every width.
    /// </summary>
    public const double DefaultMinFlops = 0.75e9;

    private readonly List<Action<CommandList>> _dispatches = [];

    public WinogradConv(Device device, ConvSpec spec, Tensor input, Tensor weight, Tensor output, Tensor scratch, Tensor? bias = null,
        Tensor? residual = null, bool relu = false, string name = "conv")
    {
        Name = name;
        Spec = spec;
        var what = $"{name} ({spec}, Winograd)";
        if (!spec.IsWinogradEligible)
            throw new EngineException($"{what}: only 1x3x3 stride-1 undilated ungrouped convolutions without temporal padding run as Winograd.");
        ChannelsLast.Require(what, "input", input);
        ChannelsLast.Require(what, "output", output);
        var tile = TileOf(weight.Shape);
        var matrices = (tile + 2) * (tile + 2);
        var (frames, h, w, cin) = (input.Shape[0] * input.Shape[1], input.Shape[2], input.Shape[3], input.Shape[4]);
        if (cin != ChannelsLast.Padded(spec.InChannels))
            throw new EngineException($"{what}: input {input.Shape} must have {ChannelsLast.Padded(spec.InChannels)} channels.");
        var outSize = spec.OutputSize(new Size3(input.Shape[1], h, w));
        var cout = ChannelsLast.Padded(spec.OutChannels);
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
        var (_, tiles, tilesH, tilesW, slabV, slabM) = layout.Value;
        var alignment = device.BindingAlignment;
        if (scratch.ByteExtent < (ulong)layout.Value.Bytes)
            throw new EngineException($"{what}: scratch {scratch.Shape} is smaller than the {layout.Value.Bytes} bytes of V and M.");
        if (scratch.ByteOffset % alignment != 0 || weight.ByteOffset % alignment != 0)
            throw new EngineException($"{what}: scratch and weight must start at a multiple of {alignment} bytes.");

        var allV = new Tensor(scratch.Buffer, scratch.ByteOffset, new Shape(checked((int)(matrices * slabV))), DataType.Float32, $"{name} V");
        var mOffset = scratch.ByteOffset + (ulong)(matrices * slabV * sizeof(float));
        var allM = new Tensor(scratch.Buffer, mOffset, new Shape(checked((int)(matrices * slabM))), DataType.Float32, $"{name} M");
        var input4 = device.Pipeline("ops/winograd_input", SpecConstant.Int(0, tile));
        var inPush = new InputPush(new Int4(h, w, cin / 4), new Int4(tilesH, tilesW, tiles, (int)(slabV / 4)), new Int4(spec.Padding.H, spec.Padding.W));
        var inGrid = StridedCopy.FlatGrid(Groups.Cover((long)tiles * cin / 4, LocalSize));
        _dispatches.Add(list => list.Dispatch(input4, inGrid, inPush, input, allV));

        var (tileM, tileN4) = (ConvDefaults.RowTile(tiles), ConvDefaults.ColumnTile(cout / 4));
        var weightRows = weight.Shape[1];
        for (var e = 0; e < matrices; e++)
        {
            var v = new Tensor(scratch.Buffer, scratch.ByteOffset + (ulong)(e * slabV * sizeof(float)), new Shape(tiles, cin), DataType.Float32, $"{name} V{e}");
            var u = new Tensor(weight.Buffer, weight.ByteOffset + (ulong)((long)e * weightRows * cout * sizeof(float)), new Shape(cin, cout), DataType.Float32, $"{name} U{e}");
            var m = new Tensor(scratch.Buffer, mOffset + (ulong)(e * slabM * sizeof(float)), new Shape(tiles, cout), DataType.Float32, $"{name} M{e}");
            _dispatches.Add(new Gemm(device, v, u, m, tileM: tileM, tileN4: tileN4, name: $"{name} gemm{e}").Record);
        }

        var output4 = device.Pipeline("ops/winograd_output",
            SpecConstant.Bool(0, bias is not null), SpecConstant.Bool(1, residual is not null), SpecConstant.Bool(2, relu), SpecConstant.Int(3, tile));
        var outPush = new OutputPush(new Int4(outSize.H, outSize.W, cout / 4), new Int4(tilesH, tilesW, tiles, (int)(slabM / 4)));
        var outGrid = StridedCopy.FlatGrid(Groups.Cover((long)tiles * cout / 4, LocalSize));
        // Absent optional inputs are bound to M: the shader never reads them.
        var biasOrAny = bias ?? allM;
        var residualOrAny = residual ?? allM;
        _dispatches.Add(list => list.Dispatch(output4, outGrid, outPush, allM, output, biasOrAny, residualOrAny));
        Flops = spec.Flops((long)frames * outSize.H * outSize.W);
    }

    public string Name { get; }

    public ConvSpec Spec { get; }

    /// <summary>The direct convolution's arithmetic (so GFLOP/s compare with it), not the fewer multiplications done.</summary>
    public double Flops { get; }

    /// <summary>
    /// Bytes of scratch (V then M) for a channels-last <paramref name="input"/> with output tiles of
    /// <paramref name="tile"/>, or 0 when the spec is not eligible or V or M would not fit one
    /// storage-buffer binding (then the direct kernel runs).
    /// </summary>
    public static long ScratchBytes(Device device, ConvSpec spec, Shape input, int tile) =>
        spec.IsWinogradEligible && Layout.Of(device, spec, input, tile) is { } layout ? layout.Bytes : 0;

    /// <summary>Shape of the packed weights: (tile + 2)^2 matrices of (Cp_in rows padded, Cp_out).</summary>
    public static Shape WeightShape(ConvSpec spec, int tile) =>
        new((CheckTile(tile) + 2) * (tile + 2), (ChannelsLast.Padded(spec.InChannels) + WeightRowQuantum - 1) / WeightRowQuantum * WeightRowQuantum,
            ChannelsLast.Padded(spec.OutChannels));

    /// <summary>
    /// Packs PyTorch weights (Cout, Cin, 1, 3, 3) into <see cref="WeightShape"/>: matrix e = alpha * a + b
    /// holds U[a, b] = (G g G^T)[a, b] of every (ci, co) at row ci, column co; padding rows and columns
    /// are zero. F(2x2): G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]; F(4x4): G = [1/4 0 0;
    /// -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]. Computed in double, rounded once.
    /// </summary>
    public static float[] PackWeights(ConvSpec spec, ReadOnlySpan<float> weights, int tile)
    {
        if (!spec.IsWinogradEligible)
            throw new EngineException($"Convolution {spec} does not run as Winograd.");
        var (cin, cout) = (spec.InChannels, spec.OutChannels);
        if (weights.Length != (long)cout * cin * 9)
            throw new EngineException($"Convolution {spec}: {weights.Length} weights given, expected {cout}x{cin}x1x3x3 = {(long)cout * cin * 9}.");
        double[,] g = CheckTile(tile) == 2
            ? new double[,] { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } }
            : new double[,] { { 0.25, 0, 0 }, { -1 / 6.0, -1 / 6.0, -1 / 6.0 }, { -1 / 6.0, 1 / 6.0, -1 / 6.0 }, { 1 / 24.0, 1 / 12.0, 1 / 6.0 }, { 1 / 24.0, -1 / 12.0, 1 / 6.0 }, { 0, 0, 1 } };
        var alpha = tile + 2;
        var shape = WeightShape(spec, tile);
        var (rows, cols) = (shape[1], shape[2]);
        var packed = new float[shape.ElementCount];
        var gk = new double[alpha, 3];
        for (var co = 0; co < cout; co++)
        {
            for (var ci = 0; ci < cin; ci++)
            {
                var k = weights.Slice((co * cin + ci) * 9, 9);
                for (var a = 0; a < alpha; a++)
                {
                    for (var l = 0; l < 3; l++)
                        gk[a, l] = g[a, 0] * k[l] + g[a, 1] * k[3 + l] + g[a, 2] * k[6 + l];
                }
                for (var a = 0; a < alpha; a++)
                {
                    for (var b = 0; b < alpha; b++)
                    {
                        var u = gk[a, 0] * g[b, 0] + gk[a, 1] * g[b, 1] + gk[a, 2] * g[b, 2];
                        packed[((long)(a * alpha + b) * rows + ci) * cols + co] = (float)u;
                    }
                }
            }
        }
        return packed;
    }

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    /// <summary>Tiles and the per-matrix slab sizes (floats, each a multiple of the binding alignment) of V and M.</summary>
    private readonly record struct Layout(int Matrices, int Tiles, int TilesH, int TilesW, long SlabV, long SlabM)
    {
        public long Bytes => Matrices * (SlabV + SlabM) * sizeof(float);

        public static Layout? Of(Device device, ConvSpec spec, Shape input, int tile)
        {
            var matrices = (CheckTile(tile) + 2) * (tile + 2);
            var outSize = spec.OutputSize(new Size3(input[1], input[2], input[3]));
            var (tilesH, tilesW) = ((outSize.H + tile - 1) / tile, (outSize.W + tile - 1) / tile);
            var tiles = (long)input[0] * input[1] * tilesH * tilesW;
            var alignFloats = (long)device.BindingAlignment / sizeof(float);
            long Slab(int channels) => (tiles * channels + alignFloats - 1) / alignFloats * alignFloats;
            var (slabV, slabM) = (Slab(input[4]), Slab(ChannelsLast.Padded(spec.OutChannels)));
            // V is written through one binding and M read through one texel buffer; each GEMM's grid
            // covers its row tiles in y.
            var limits = device.Limits;
            var outputBytes = (long)input[0] * outSize.Volume * ChannelsLast.Padded(spec.OutChannels) * sizeof(float);
            if (matrices * slabV * sizeof(float) > limits.maxStorageBufferRange || matrices * slabM / 4 > limits.maxTexelBufferElements
                || outputBytes > limits.maxStorageBufferRange || tiles > (long)MaxGroupsY(device) * ConvDefaults.SmallTileM)
                return null;
            return new Layout(matrices, (int)tiles, tilesH, tilesW, slabV, slabM);
        }

        private static unsafe uint MaxGroupsY(Device device)
        {
            var limits = device.Limits;
            return limits.maxComputeWorkGroupCount[1];
        }
    }

    /// <summary>
    /// The tile a convolution of <paramref name="spec"/> uses (its weights are packed for it): 4x4 for
    /// every layer. `engine bench conv --compare-direct --winograd-tile 2|4` on the I3D R50 1x3x3 layers
    /// (8 frames; GPU time over the direct kernel, alternating in one process) gave F(2x2) / F(4x4):
    /// 64 ch 56x56 0.94-0.97 / 0.90-1.02, 128 ch 28x28 0.73 / 0.67, 256 ch 14x14 0.61 / 0.62, 512 ch
    /// 7x7 0.61 / 0.50. F(4x4) does 1.8x fewer multiplications and moves 1.8x less V and M per output;
    /// its larger transforms cost more per tile on lavapipe (at 64 channels they are half its time),
    /// but it was never clearly slower. Its rounding error (transform entries up to 8) kept the full
    /// ResNet-50 and NL I3D R50 within the 1e-4 parity tolerance.
    /// </summary>
    public static int TileFor(ConvSpec spec) => 4;

    /// <summary>The tile packed weights of <paramref name="shape"/> were transformed for.</summary>
    public static int TileOf(Shape shape) => shape.Rank == 3 && shape[0] == 36 ? 4 : 2;

    private static int CheckTile(int tile) =>
        tile is 2 or 4 ? tile : throw new EngineException($"Winograd tiles are 2x2 or 4x4 outputs, not {tile}x{tile}.");

    private readonly record struct InputPush(Int4 InDims, Int4 Tiles, Int4 Pad);

    private readonly record struct OutputPush(Int4 OutDims, Int4 Tiles);
}
