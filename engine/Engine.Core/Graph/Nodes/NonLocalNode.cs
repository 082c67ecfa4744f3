using System.Globalization;
using Engine.Gpu;
using Engine.Ops;
using Engine.Tuning;

namespace Engine.Graph.Nodes;

/// <summary>
/// A non-local block (<see cref="NonLocalBlock"/>) on a channels-last activation of
/// <paramref name="channels"/> channels. Its parameters are packed here (<see cref="NonLocalWeights.Pack"/>)
/// into the graph's weight arena; its projections, pooled keys and attention statistics live in the
/// node's scratch, which the graph reuses for later nodes. <paramref name="read"/> gives the block's
/// package tensors by their names relative to the block (`theta.weight`, `out.bias`...).
/// With <paramref name="attention"/> the node reads a second input, the query (<see cref="QuerySpec"/>:
/// x, y, t, clip; see <see cref="NonLocalBlock.RecordAttentionMap"/>), which the caller writes before
/// a run, and writes a second output: the attention weights of that query over its keys, shaped
/// (1, T', H', W') on the key grid (the live host's heat map). Moving the query is a write, never a recompile.
/// The attention kernel is the tuner's choice for this shape (<see cref="CompileOptions.Variants"/>, by
/// <see cref="TuningKey"/>): blocked (today's rule) or fused with one of <see cref="FusedTiles"/>, each with
/// the block's GEMMs on register tiles or, where the device allows, shared-memory blocks (`gemm-shared`).
/// </summary>
public sealed class NonLocalNode(string name, string input, string output, NonLocalOptions options, int channels, Func<string, float[]> read,
    (string Query, string Map)? attention = null)
    : Node(name, attention is { } a ? [input, a.Query] : [input], attention is { } b ? [output, b.Map] : [output]), ITunableNode
{
    /// <summary>The fused kernel's tiles the tuner times besides blocked attention (each parity-tested in NonLocalBlockTests).</summary>
    public static IReadOnlyList<NonLocalAttention> FusedTiles { get; } = [NonLocalAttention.Fused, NonLocalAttention.Fused with { QueryTile = 8 }];

    public string TuningKey(IReadOnlyList<TensorSpec> inputs, CompileOptions options) => Key(inputs[0].Shape, options);

    private string Key(Shape input, CompileOptions compile) =>
        $"nonlocal {options.Instantiation} scale {options.Scale} inner {options.Inner} {options.Subsample} pool {string.Join("x", options.Pool)} "
        + $"{options.Mode} group {options.Group} {options.Output} c{channels} in {input}{compile.TuningKeySuffix}";

    public IReadOnlyList<string> Candidates(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options)
    {
        var kernels = new[] { NonLocalAttention.Default }.Concat(FusedTiles).ToList();
        return [.. kernels.Concat(kernels.Select(a => a with { Gemms = Tiling.SharedMemory })).Select(a => VariantFor(device, inputs[0].Shape, a)).Distinct()];
    }

    private string VariantFor(Device device, Shape input, NonLocalAttention attention) => NonLocalBlock.VariantFor(device, options, channels, input, attention);

    /// <summary>
    /// The attention kernel a compile with <paramref name="compile"/> runs: the tuned one when its text
    /// names blocked attention or a fused tile, each optionally with shared-memory GEMMs, that reproduces
    /// exactly that text on this shape, else today's (blocked, register tiles).
    /// </summary>
    private NonLocalAttention Attention(Device device, Shape input, CompileOptions compile)
    {
        if (compile.Variants?.GetValueOrDefault(Key(input, compile)) is not { } text)
            return NonLocalAttention.Default;
        var parts = text.Split(' ');
        var gemms = parts is [.., "gemm-shared"] ? Tiling.SharedMemory : Tiling.Registers;
        if (gemms == Tiling.SharedMemory)
            parts = parts[..^1];
        NonLocalAttention? chosen = parts switch
        {
            ["attention", "blocked" or "factored"] => NonLocalAttention.Default with { Gemms = gemms },
            ["attention", "fused", ['q', ..] q, ['k', ..] k]
                when int.TryParse(q.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var tile)
                && int.TryParse(k.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var chunk)
                // Only the tiles the tuner times (and the tests cover); another would only come from an edited file.
                && FusedTiles.Any(t => t.QueryTile == tile && chunk <= t.KeyChunk)
                => new NonLocalAttention(AttentionKernel.Fused, tile, chunk, gemms),
            _ => null,
        };
        return chosen is not null && VariantFor(device, input, chosen) == text ? chosen : NonLocalAttention.Default;
    }
    /// <summary>The spec of the query input: (x, y, t, clip).</summary>
    public static TensorSpec QuerySpec { get; } = new(new Shape(NonLocalBlock.QueryElements));

    /// <summary>The query at fractions (<paramref name="x"/>, <paramref name="y"/>) of the width and height, at the middle frame of clip 0.</summary>
    public static float[] MiddleFrameQuery(double x, double y) => [(float)x, (float)y, 0.5f, 0f];

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var x = inputs[0];
        if (x.Shape.Rank != 5 || x.Channels != channels)
            throw ShapeError(inputs, $"expected a channels-last (N, T, H, W, Cp) activation of {channels} channels");
        if (attention is null)
            return [x];
        if (inputs[1].Shape != QuerySpec.Shape || inputs[1].Type != DataType.Float32)
            throw ShapeError(inputs, $"expected the attention query as {QuerySpec}");
        var (t, h, w) = (x.Shape[1], x.Shape[2], x.Shape[3]);
        var (pt, ph, pw) = options.PoolKernel;
        // The keys one query attends to, in their flat order (see NonLocalBlock.RecordAttentionMap).
        var grid = options.Mode switch
        {
            NonLocalMode.Space => new Shape(1, 1, h / ph, w / pw),
            NonLocalMode.Time => new Shape(1, t / pt, 1, 1),
            _ when options.Group > 0 => new Shape(1, options.Group / pt, h / ph, w / pw),
            _ => new Shape(1, t / pt, h / ph, w / pw),
        };
        return [x, new TensorSpec(grid)];
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) => ScratchBytes(device, inputs, new CompileOptions());

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions compile)
    {
        try
        {
            return NonLocalBlock.ScratchBytes(device, options, channels, inputs[0].Shape, attention: Attention(device, inputs[0].Shape, compile));
        }
        catch (EngineException e)
        {
            throw ShapeError(inputs, $"a non-local block cannot run on this input ({e.Message})");
        }
    }

    public override IEnumerable<WeightData> Weights() =>
        NonLocalWeights.Pack(options, channels, read, Name).Select(w => new WeightData(w.Name, w.Shape, w.Values, NonLocalWeights.ReadByGemm(w.Name)));

    public override IOp CreateOp(Device device, NodeTensors tensors) => CreateOp(device, tensors, new CompileOptions());

    public override IOp CreateOp(Device device, NodeTensors tensors, CompileOptions compile)
    {
        var block = new NonLocalBlock(device, tensors.Inputs[0], tensors.Outputs[0], NonLocalWeights.Bind(options, channels, tensors.OptionalWeight),
            tensors.Scratch!, name: Name, attention: Attention(device, tensors.Inputs[0].Shape, compile));
        return new WithAttention(block, attention is null ? null : (tensors.Inputs[1], tensors.Outputs[1]));
    }

    /// <summary>The block, followed by the attention map of the query when the node has one.</summary>
    private sealed class WithAttention(NonLocalBlock block, (Tensor Query, Tensor Map)? attention) : IOp
    {
        public string Name => block.Name;

        public string Variant => block.Variant;

        public double Flops => block.Flops;

        public void Record(CommandList list)
        {
            block.Record(list);
            // The map reads the block's scratch: it must follow the block before anything reuses it.
            if (attention is { } a)
                block.RecordAttentionMap(list, a.Query, a.Map);
        }
    }
}
