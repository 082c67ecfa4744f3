using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Convolution (1D/2D/3D, any kernel, stride, padding, dilation, groups) over channels-last
/// activations, with bias (folded BN), residual add and ReLU fused. Ungrouped convolutions are an
/// implicit GEMM with register tiles (shaders/ops/conv.comp); 1x1x1 stride-1 ones are plain
/// <see cref="Gemm"/> over (pixels, Cp) views; grouped ones use shaders/ops/conv_grouped.comp.
/// Weights are packed on the host by <see cref="ConvSpec.PackWeights"/>; bias has Cp(out) entries.
/// An output larger than one storage-buffer binding is written in row (pixel) chunks.
/// </summary>
public sealed class Conv : IOp
{
    private const int LocalSize = ConvDefaults.LocalSize;

    private readonly List<Action<CommandList>> _dispatches = [];

    /// <summary>
    /// <paramref name="tiling"/> splits the work of an ungrouped convolution: a pointwise one
    /// (<see cref="ConvSpec.IsPointwise"/>) runs as a <see cref="Gemm"/> of that tiling, the rest as
    /// shaders/ops/conv.comp (registers) or shaders/ops/conv_shared.comp (shared memory), with the tile
    /// <paramref name="tileM"/> x <paramref name="tileN4"/> (an invocation's, or a workgroup's block; null:
    /// <see cref="ConvDefaults"/>' tiles, or <see cref="Gemm.DefaultSharedBlock"/>).
    /// </summary>
    public Conv(Device device, ConvSpec spec, Tensor input, Tensor weight, Tensor output, Tensor? bias = null, Tensor? residual = null,
        bool relu = false, int? tileM = null, int? tileN4 = null, string name = "conv", Tiling tiling = Tiling.Registers)
        : this(device, spec, input, weight, output, bias, residual, relu, tileM, tileN4, name, device.Limits.maxStorageBufferRange, tiling)
    {
    }

    /// <summary>
    /// A convolution that <see cref="ConvSpec.UnfoldsWidth"/>, run as a width unfold of the input into
    /// <paramref name="scratch"/> (at least <see cref="UnfoldScratchBytes"/>) followed by the
    /// kernel-width-1 convolution (register tile <paramref name="tileM"/> x <paramref name="tileN4"/>, null:
    /// <see cref="ConvDefaults"/>): two dispatches, about twice as fast for the RGB stem on lavapipe.
    /// <paramref name="weight"/> is packed by <see cref="ConvSpec.PackUnfoldedWeights"/>.
    /// </summary>
    public Conv(Device device, ConvSpec spec, Tensor input, Tensor weight, Tensor output, Tensor scratch, Tensor? bias, Tensor? residual,
        bool relu, string name = "conv", int? tileM = null, int? tileN4 = null)
    {
        Name = name;
        Spec = spec;
        ChannelsLast.Require($"{name} ({spec})", "input", input);
        var unfoldedShape = spec.UnfoldedInputShape(input.Shape);
        if (!spec.UnfoldsWidth || input.Shape[4] != 4)
            throw new EngineException($"{name} ({spec}): only an ungrouped convolution of at most 4 input channels and kernel width > 1 unfolds its width.");
        if (scratch.ByteExtent < (ulong)unfoldedShape.ElementCount * sizeof(float))
            throw new EngineException($"{name} ({spec}): scratch {scratch.Shape} is smaller than the unfolded input {unfoldedShape}.");
        var unfolded = new Tensor(scratch.Buffer, scratch.ByteOffset, unfoldedShape, DataType.Float32, $"{name} unfolded");
        var pipeline = device.Pipeline("ops/unfold_width");
        var push = new UnfoldPush((uint)(input.Shape[0] * input.Shape[1] * input.Shape[2]), (uint)input.Shape[3], (uint)unfoldedShape[3],
            (uint)unfoldedShape[4] / 4, (uint)spec.Kernel.W, (uint)spec.InChannels, spec.Stride.W, spec.Padding.W, spec.Dilation.W);
        var grid = StridedCopy.FlatGrid(device, Groups.Cover(unfoldedShape.ElementCount / 4, 64));
        _dispatches.Add(list => list.Dispatch(pipeline, grid, push, input, unfolded));
        var inner = new Conv(device, spec.WidthUnfolded, unfolded, weight, output, bias, residual, relu, tileM, tileN4, name);
        _dispatches.Add(inner.Record);
        Runs = inner.Runs with { Algorithm = ConvAlgorithm.Unfolded };
        Flops = spec.Flops((long)output.Shape[0] * output.Shape[1] * output.Shape[2] * output.Shape[3]);
    }

    /// <summary>
    /// A convolution that runs as Winograd (<see cref="WinogradConv"/>, weights packed by
    /// <see cref="WinogradConv.PackWeights"/> for its tile) when its spec is eligible and <paramref name="scratch"/>
    /// holds <see cref="WinogradConv.ScratchBytes"/> (the graph gives none when V or M would not fit one
    /// binding, e.g. 128-frame clips); otherwise as the direct kernel with <paramref name="weight"/> and the
    /// register tile <paramref name="tileM"/> x <paramref name="tileN4"/> (null: <see cref="ConvDefaults"/>).
    /// <paramref name="weight"/> may be null when the caller knows Winograd runs (a graph does: its scratch
    /// is sized by the same <see cref="WinogradConv.ScratchBytes"/>).
    /// </summary>
    public Conv(Device device, ConvSpec spec, Tensor input, Tensor? weight, Tensor? winogradWeight, Tensor output, Tensor? scratch, Tensor? bias,
        Tensor? residual, bool relu, string name = "conv", int? tileM = null, int? tileN4 = null)
    {
        Name = name;
        Spec = spec;
        var needed = winogradWeight is not null ? WinogradConv.ScratchBytes(device, spec, input.Shape, WinogradConv.TileOf(spec, winogradWeight.Shape)) : 0;
        if (winogradWeight is not null && scratch is not null && needed > 0 && scratch.ByteExtent >= (ulong)needed)
        {
            var winograd = new WinogradConv(device, spec, input, winogradWeight, output, scratch, bias, residual, relu, name);
            _dispatches.Add(winograd.Record);
            (Flops, UsesWinograd, Runs) = (winograd.Flops, true, ConvVariant.Winograd(WinogradConv.TileOf(spec, winogradWeight.Shape)));
            return;
        }
        if (weight is null)
            throw new EngineException($"{name} ({spec}): Winograd cannot run (its scratch or packed weight is missing) and there is no direct weight to fall back on.");
        var direct = new Conv(device, spec, input, weight, output, bias, residual, relu, tileM, tileN4, name);
        _dispatches.Add(direct.Record);
        (Flops, Runs) = (direct.Flops, direct.Runs);
    }

    /// <summary>Bytes of scratch the width-unfolded form needs for <paramref name="input"/> (channels-last).</summary>
    public static long UnfoldScratchBytes(ConvSpec spec, Shape input) => spec.UnfoldedInputShape(input).ElementCount * sizeof(float);

    /// <summary>As the public constructor, with the chunk size forced (tests of the chunked path).</summary>
    internal Conv(Device device, ConvSpec spec, Tensor input, Tensor weight, Tensor output, Tensor? bias, Tensor? residual,
        bool relu, int? tileM, int? tileN4, string name, ulong maxChunkBytes, Tiling tiling = Tiling.Registers)
    {
        Name = name;
        Spec = spec;
        ChannelsLast.Require($"{name} ({spec})", "input", input);
        ChannelsLast.Require($"{name} ({spec})", "output", output);
        var (n, inSize, cin) = (input.Shape[0], new Size3(input.Shape[1], input.Shape[2], input.Shape[3]), input.Shape[4]);
        if (cin != ChannelsLast.Padded(spec.InChannels))
            throw new EngineException($"{name} ({spec}): input {input.Shape} must have {ChannelsLast.Padded(spec.InChannels)} channels.");
        var outSize = spec.OutputSize(inSize);
        var cout = ChannelsLast.Padded(spec.OutChannels);
        var expected = new Shape(n, outSize.T, outSize.H, outSize.W, cout);
        if (output.Shape != expected)
            throw new EngineException($"{name} ({spec}): input {input.Shape} gives output {expected}, not {output.Shape}.");
        if (weight.Shape != spec.PackedWeightShape || !weight.IsContiguous)
            throw new EngineException($"{name} ({spec}): packed weight {weight.Shape} must be {spec.PackedWeightShape} (see ConvSpec.PackWeights).");
        if (bias is not null && bias.ElementCount != cout)
            throw new EngineException($"{name} ({spec}): bias {bias.Shape} must have {cout} elements.");
        if (residual is not null && (residual.Shape != output.Shape || !residual.IsContiguous))
            throw new EngineException($"{name} ({spec}): residual {residual.Shape} must match output {output.Shape}.");

        if (tileM <= 0 || tileN4 <= 0)
            throw new EngineException($"{name}: tiles must be positive ({tileM}x{tileN4}).");
        var shared = tiling == Tiling.SharedMemory;
        if (shared && spec.Groups > 1)
            throw new EngineException($"{name} ({spec}): a grouped convolution has one kernel, not {tiling} tiling.");
        var pixels = (long)n * outSize.Volume;
        Flops = spec.Flops(pixels);
        var rowTileM = tileM ?? (shared ? Gemm.DefaultSharedBlock.TileM : ConvDefaults.RowTile(pixels));
        var colTileN4 = tileN4 ?? (shared ? Gemm.DefaultSharedBlock.TileN4 : ConvDefaults.ColumnTile(cout / 4));
        if (shared && !Gemm.SharedBlockFits(device, rowTileM, colTileN4))
            throw new EngineException($"{name} ({spec}): a shared-memory block of {rowTileM}x{4 * colTileN4} does not fit this device's workgroup limits.");
        Runs = spec.IsPointwise ? new ConvVariant(shared ? ConvAlgorithm.SharedGemm : ConvAlgorithm.Gemm, rowTileM, colTileN4)
            : spec.Groups > 1 ? ConvVariant.Grouped : new ConvVariant(shared ? ConvAlgorithm.SharedDirect : ConvAlgorithm.Direct, rowTileM, colTileN4);
        var limits = device.Limits;
        var alignment = device.BindingAlignment;
        var rowBytes = (long)cout * sizeof(float);

        if (spec.IsPointwise)
        {
            var inRows = input.Reshape(new Shape(checked((int)pixels), cin));
            var outRows = output.Reshape(new Shape(checked((int)pixels), cout));
            var resRows = residual?.Reshape(new Shape(checked((int)pixels), cout));
            // Gemm covers rows with one y group per row tile (either kernel): a chunk may not exceed the grid's y limit.
            var maxRows = (long)device.MaxGroupsY * rowTileM;
            foreach (var (start, count) in RowChunks.Split(pixels, maxRows, maxChunkBytes, alignment, rowBytes, (long)cin * sizeof(float)))
            {
                var gemm = new Gemm(device, RowChunks.View(inRows, start, count, cin), weight, RowChunks.View(outRows, start, count, cout), bias,
                    resRows is null ? null : RowChunks.View(resRows, start, count, cout), relu, rowTileM, colTileN4, name, tiling);
                _dispatches.Add(gemm.Record);
            }
            return;
        }

        var grouped = spec.Groups > 1;
        if (grouped && weight.Type != DataType.Float32)
            throw new EngineException($"{name} ({spec}): the grouped kernel reads float32 weights, not {weight}.");
        var lanes = ConvDefaults.LaneColumns(Groups.Cover(cout / 4, colTileN4));
        var pipeline = grouped
            ? device.Pipeline("ops/conv_grouped", SpecConstant.Bool(0, bias is not null), SpecConstant.Bool(1, residual is not null), SpecConstant.Bool(2, relu))
            : shared
            ? device.Pipeline(ShaderLibrary.ForWeights("ops/conv_shared", weight), SpecConstant.Int(0, rowTileM / 4 * colTileN4), SpecConstant.Int(1, rowTileM),
                SpecConstant.Int(2, colTileN4), SpecConstant.Bool(3, bias is not null), SpecConstant.Bool(4, residual is not null), SpecConstant.Bool(5, relu))
            : device.Pipeline(ShaderLibrary.ForWeights("ops/conv", weight), SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, rowTileM), SpecConstant.Int(2, colTileN4),
                SpecConstant.Bool(3, bias is not null), SpecConstant.Bool(4, residual is not null), SpecConstant.Bool(5, relu),
                SpecConstant.Int(6, lanes));
        // A shared-memory block is one workgroup: its tile is the whole group's, with no lane split.
        var (rowTile, colTile, laneColumns, rowTilesPerGroup) = grouped ? (1, 1, LocalSize, 1) : shared ? (rowTileM, colTileN4, 1, 1)
            : (rowTileM, colTileN4, lanes, LocalSize / lanes);
        var outRowsAll = output.Reshape(new Shape(checked((int)pixels), cout));
        // Absent optional inputs are bound to the input: the shader never reads them.
        var biasOrAny = bias ?? input;
        var residualOrAny = residual ?? input;
        foreach (var (start, count) in RowChunks.Split(pixels, maxChunkBytes, alignment, rowBytes))
        {
            var view = RowChunks.View(outRowsAll, start, count, cout);
            var push = new Push(inSize, cin / 4, outSize, cout / 4, spec, (uint)start, (uint)count);
            var groups = RowGrid.Of(device, Groups.Cover(Groups.Cover(cout / 4, colTile), laneColumns),
                Groups.Cover(Groups.Cover(count, rowTile), rowTilesPerGroup));
            _dispatches.Add(list => list.Dispatch(pipeline, groups, push, input, weight, view, biasOrAny, residualOrAny));
        }
    }

    public string Name { get; }

    public ConvSpec Spec { get; }

    public double Flops { get; }

    /// <summary>The kernel and tile this convolution runs (a Winograd one whose scratch did not fit runs the direct kernel).</summary>
    public ConvVariant Runs { get; } = ConvVariant.Grouped;

    public string Variant => Runs.ToString();

    /// <summary>True when this convolution runs as Winograd.</summary>
    public bool UsesWinograd { get; }

    /// <summary>Dispatches per run (more than one when the output is chunked).</summary>
    public int DispatchCount => _dispatches.Count;

    public void Record(CommandList list)
    {
        foreach (var dispatch in _dispatches)
            dispatch(list);
    }

    private readonly record struct UnfoldPush(uint Rows, uint Width, uint OutWidth, uint OutTexels, uint Taps, uint Channels, int Stride, int Pad, int Dilation);

    private readonly record struct Push(Int4 InDims, Int4 OutDims, Int4 Kernel, Int4 Stride, Int4 Padding, Int4 Dilation, Int4 GroupChannels, uint Row0, uint Rows)
    {
        public Push(Size3 inSize, int cin4, Size3 outSize, int cout4, ConvSpec spec, uint row0, uint rows)
            : this(Int4.Of(inSize, cin4), Int4.Of(outSize, cout4), Int4.Of(spec.Kernel), Int4.Of(spec.Stride), Int4.Of(spec.Padding), Int4.Of(spec.Dilation),
                new Int4(spec.InChannels / spec.Groups, spec.OutChannels / spec.Groups, spec.OutChannels), row0, rows)
        {
        }
    }
}
