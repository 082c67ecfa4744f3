using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// The non-local block (Wang et al., CVPR 2018) as one op, in every released variant (see
/// <see cref="NonLocalOptions"/>): z = x + W_z y + b_z with y_i = (1/C(x)) sum_j f(theta_i, phi_j) g_j,
/// on channels-last activations x and z of shape (N, T, H, W, Cp).
/// <para>
/// theta, phi, g and out are 1x1x1 convolutions, so each is a <see cref="Gemm"/> over a (pixels, Cp)
/// view: phi and g share one GEMM, out fuses its bias and the residual x. Subsampling is a max-pool
/// (<see cref="Pool"/>) before those GEMMs or after them. GEMMs and pools whose outputs exceed a
/// binding are split into row chunks at aligned offsets (<see cref="RowChunks"/>).
/// </para>
/// <para>
/// The attention never materialises the whole affinity matrix: keys are taken in blocks and each
/// block costs three dispatches (shaders/nonlocal): the logits of the block (a GEMM-shaped register
/// tile), an online-softmax update (running max m and sum l per query, and the factor that rescales
/// what was accumulated so far), and P x g accumulated into y, divided by l after the last block.
/// Concatenation and blocked dot product skip the softmax pass (their 1/N is in the logits). The
/// softmax pass turns the block's logits into probabilities in place, so one score buffer (at most
/// <c>attentionBudget</c> and never more than one storage-buffer binding) serves all three passes:
/// the I3D R50 res3 affinity (6272 x 1568) then fits the default budget as one key block, cheaper
/// than two key blocks with separate logits and probabilities (docs/bench-log.md, 2026-11-22).
/// </para>
/// <para>
/// With <see cref="AttentionKernel.Fused"/> (<see cref="NonLocalAttention"/>) the softmax
/// instantiations take one dispatch instead (shaders/nonlocal/fused.comp): per tile of queries the
/// logits of a chunk of keys stay in registers, an online softmax rescales y, and y is written
/// directly; no score buffer and no softmax statistics are allocated, so it needs less scratch.
/// Blocked stays the default: on lavapipe fused was no faster on the I3D R50 res3 and res4 blocks
/// (docs/bench-log.md, 2026-12-07), so fused is a candidate for a per-device choice rather than a new rule.
/// </para>
/// <para>
/// Dot product has no softmax, so the products reassociate: y = theta (phi^T g) / N costs
/// 2 (Lk + Lq) d^2 per segment instead of 4 Lq Lk d, and no affinity exists at all
/// (<see cref="Factored"/>). The attend kernel computes both products: M = phi^T g per segment with
/// the transposed keys as its weights, then y = theta M / N with theta as the weights. The I3D R50
/// res3 shape (6272 queries, 1568 keys, d = 128) does 20x fewer attention FLOPs this way. Time-only
/// attention keeps the blocked path (its queries are not consecutive rows).
/// </para>
/// <para>
/// The block's scratch (projections, pooled tensors, y, the softmax statistics and the score buffer
/// or M) is one caller-given tensor of <see cref="ScratchBytes(Device, NonLocalOptions, int, Shape, long, NonLocalAttention?)"/>
/// bytes, carved by <see cref="ScratchCursor"/>, so graphs can alias it; its parameters are
/// <see cref="NonLocalWeights"/> the caller uploaded (a graph: in its weight arena).
/// </para>
/// </summary>
public sealed class NonLocalBlock : IOp
{
    /// <summary>Bytes for the per-block score buffer, unless the caller says otherwise.</summary>
    public const long DefaultAttentionBudget = 64L << 20;

    /// <summary>Floats of an attention query: (x, y, t, n), see <see cref="RecordAttentionMap"/>.</summary>
    public const int QueryElements = 4;

    private const int LocalSize = 8;
    // 16 queries per invocation (as the convolutions' 16-pixel tile): cheaper than 8 on lavapipe for
    // the I3D R50 res3 block and no worse on res4 (docs/bench-log.md, 2026-11-21).
    private const int TileQ = 16;
    private const int TileK4 = 4;
    private const int TileC4 = 4;
    private const int FlatLocalSize = 64;

    private readonly Device _device;
    private readonly Geometry _g;
    private readonly List<IOp> _thetaOps = [];
    private readonly List<IOp> _keyValueOps = [];
    private readonly List<IOp> _outOps = [];
    private readonly List<IOp> _poolsBefore = [];
    private readonly List<IOp> _poolsAfter = [];
    private readonly Pipeline _transpose;
    private readonly Pipeline _scores;
    private readonly Pipeline? _softmax;
    private readonly Pipeline _attend;
    private readonly Pipeline? _fused;
    private readonly Pipeline _map;
    private readonly Tensor _q;
    private readonly Tensor _k;
    private readonly Tensor _keysT;
    private readonly Tensor _v;
    private readonly Tensor _concat;
    private readonly Tensor _y;
    private readonly Tensor _stats;
    // The blocked path's per-block scores, or the factored path's M = phi^T g per segment.
    private readonly Tensor _scoresBuffer;

    /// <summary>
    /// The block on x (N, T, H, W, Cp) into z; <paramref name="attention"/> picks the softmax attention
    /// kernel (null: <see cref="NonLocalAttention.Default"/>, blocked), and the scratch must be sized
    /// by <see cref="ScratchBytes(Device, NonLocalOptions, int, Shape, long, NonLocalAttention?)"/> with the same choice.
    /// </summary>
    public NonLocalBlock(Device device, Tensor x, Tensor z, NonLocalWeights weights, Tensor scratch,
        long attentionBudget = DefaultAttentionBudget, string name = "nonlocal", NonLocalAttention? attention = null)
        : this(device, x, z, weights, scratch, attentionBudget, name, factorDotProduct: true, attention)
    {
    }

    /// <summary>With <paramref name="factorDotProduct"/> false, dot product takes the blocked path too (tests compare the two).</summary>
    internal NonLocalBlock(Device device, Tensor x, Tensor z, NonLocalWeights weights, Tensor scratch,
        long attentionBudget, string name, bool factorDotProduct, NonLocalAttention? attention = null)
    {
        Name = name;
        _device = device;
        var options = weights.Options;
        _g = Plan(device, options, weights.Channels, x.Shape, attentionBudget, name, factorDotProduct, attention ?? NonLocalAttention.Default);
        if (z.Shape != x.Shape)
            throw new EngineException($"{name}: output {z.Shape} must have the input's shape {x.Shape}.");
        if (!x.IsContiguous || !z.IsContiguous || x.Type != DataType.Float32 || z.Type != DataType.Float32)
            throw new EngineException($"{name}: x {x} and z {z} must be contiguous float32 tensors.");
        if ((long)scratch.ByteExtent < _g.ScratchBytes)
            throw new EngineException($"{name}: scratch {scratch} must hold at least {_g.ScratchBytes} bytes.");

        var g = _g;
        var cursor = new ScratchCursor(name, scratch, device.BindingAlignment);
        var parts = g.Regions.ToDictionary(r => r.Name, r => cursor.Take(r.Name, new Shape(checked((int)r.Floats))));
        Tensor Region(string region, int rows, int cols) => parts[region].Reshape(new Shape(rows, cols), $"{name}.{region}");

        var x2 = x.Reshape(new Shape(g.Pixels, g.Cp), $"{name}.x");
        var z2 = z.Reshape(new Shape(g.Pixels, g.Cp), $"{name}.z");
        var gaussian = options.Instantiation == NonLocalInstantiation.Gaussian;
        var pooledX = parts.ContainsKey("pooled_x") ? Region("pooled_x", g.Keys, g.Cp) : null;
        if (pooledX is not null)
            _poolsBefore.Add(MaxPool(x, pooledX, $"{name}.pool_x"));

        if (!gaussian)
        {
            var theta = Region("theta", g.Pixels, g.Ip);
            AddGemms(_thetaOps, x2, weights.ThetaWeight!, theta, weights.ThetaBias!, null, $"{name}.theta");
            _q = theta;
        }
        else
        {
            _q = x2;
        }

        var kv = Region("kv", g.Keys, g.KvWidth);
        if (options.Subsample == NonLocalSubsample.ConvThenPool)
        {
            var kvFull = Region("kv_full", g.Pixels, g.KvWidth);
            AddGemms(_keyValueOps, x2, weights.KeyValueWeight, kvFull, weights.KeyValueBias, null, $"{name}.kv");
            _poolsAfter.Add(MaxPool(kvFull, kv, $"{name}.pool_kv"));
        }
        else
        {
            AddGemms(_keyValueOps, pooledX ?? x2, weights.KeyValueWeight, kv, weights.KeyValueBias, null, $"{name}.kv");
        }
        _k = gaussian ? pooledX ?? x2 : kv;
        _v = kv;
        _keysT = Region("keys_t", 1, (int)(g.Segments * g.D4 * 4 * g.Lk4));
        _y = Region("y", g.Pixels, g.Ip);
        _stats = g.Softmax && g.Fused is null ? Region("stats", g.Pixels, 4) : _y;
        _scoresBuffer = g.Factored ? Region("m", (int)g.Segments * g.Ip, g.Ip) : g.Fused is null ? Region("scores", 1, g.ChunkFloats) : _y;
        _concat = weights.Concat ?? weights.KeyValueBias;
        AddGemms(_outOps, _y, weights.OutWeight, z2, weights.OutBias, x2, $"{name}.out");

        var concat = options.Instantiation == NonLocalInstantiation.Concatenation;
        _transpose = device.Pipeline("nonlocal/transpose_keys");
        _scores = device.Pipeline("nonlocal/scores", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, TileQ), SpecConstant.Int(2, TileK4),
            SpecConstant.Bool(3, concat), SpecConstant.Bool(4, g.Softmax));
        _softmax = g.Softmax ? device.Pipeline("nonlocal/softmax") : null;
        _attend = device.Pipeline("nonlocal/attend", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, TileQ), SpecConstant.Int(2, TileC4),
            SpecConstant.Bool(3, g.Softmax));
        _map = device.Pipeline("nonlocal/attention_map", SpecConstant.Bool(0, concat), SpecConstant.Bool(1, g.Softmax));
        if (g.Fused is { } fused)
        {
            _fused = device.Pipeline("nonlocal/fused", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, fused.QueryTile),
                SpecConstant.Int(2, fused.KeyChunk / 4));
        }
    }

    public string Name { get; }

    /// <summary>
    /// The attention kernel that runs: <c>attention fused q16 k100</c> (query tile, the key chunk
    /// <see cref="NonLocalAttention.ChunkFor"/> chose for this block's keys), <c>attention blocked</c>
    /// or <c>attention factored</c>, followed by <c>gemm-shared</c> when the block's GEMMs run on
    /// <see cref="Tiling.SharedMemory"/>.
    /// </summary>
    public string Variant => _g.Variant;

    /// <summary>The <see cref="Variant"/> a block of these options on <paramref name="input"/> runs with <paramref name="attention"/>, without creating it.</summary>
    public static string VariantFor(Device device, NonLocalOptions options, int channels, Shape input, NonLocalAttention attention) =>
        Plan(device, options, channels, input, DefaultAttentionBudget, "nonlocal", factorDotProduct: true, attention).Variant;

    public double Flops
    {
        get
        {
            var g = _g;
            var kvRows = g.Options.Subsample == NonLocalSubsample.ConvThenPool ? g.Pixels : g.Keys;
            var theta = g.Options.Instantiation == NonLocalInstantiation.Gaussian ? 0.0 : 2.0 * g.Pixels * g.Cp * g.Ip;
            var attention = g.Factored
                ? 2.0 * g.Segments * ((long)g.Lk + g.Lq) * g.Ip * g.Ip
                : 2.0 * g.Segments * g.Lq * g.Lk * 4 * (g.D4 + g.Ip / 4);
            return theta + 2.0 * kvRows * g.Cp * g.KvWidth + attention + 2.0 * g.Pixels * g.Ip * g.Cp;
        }
    }

    /// <summary>Keys each query attends to: the length of an attention map.</summary>
    public int KeysPerQuery => _g.Lk;

    /// <summary>An attention map's keys as (frames, height, width) of the subsampled grid, for drawing it.</summary>
    public Shape AttentionMapShape => _g.Options.Mode switch
    {
        NonLocalMode.Space => new Shape(1, _g.Hk, _g.Wk),
        NonLocalMode.Time => new Shape(_g.Tk, 1, 1),
        _ => new Shape(_g.Lk / (_g.Hk * _g.Wk), _g.Hk, _g.Wk),
    };

    /// <summary>Key blocks the attention is split into (1 when the whole affinity fits the budget; 1 for fused attention, whose key chunks are inside its kernel).</summary>
    public int KeyBlocks => _g.Fused is null ? _g.KeyBlocks : 1;

    /// <summary>True when softmax attention runs as one fused kernel (<see cref="AttentionKernel.Fused"/>).</summary>
    public bool Fused => _g.Fused is not null;

    /// <summary>True when dot product runs as theta (phi^T g) / N, never forming an affinity (the budget is then unused).</summary>
    public bool Factored => _g.Factored;

    /// <summary>Query chunks the attention is split into (1 when the whole affinity fits the budget; 1 for fused attention).</summary>
    public int QueryChunks => _g.Fused is null ? _g.Chunks.Count : 1;

    /// <summary>Scratch bytes a block needs for input <paramref name="input"/> (N, T, H, W, Cp).</summary>
    public static long ScratchBytes(Device device, NonLocalOptions options, int channels, Shape input, long attentionBudget = DefaultAttentionBudget,
        NonLocalAttention? attention = null) =>
        ScratchBytes(device, options, channels, input, attentionBudget, factorDotProduct: true, attention);

    /// <summary>As <see cref="ScratchBytes(Device, NonLocalOptions, int, Shape, long, NonLocalAttention?)"/> for the internal constructor's path choice.</summary>
    internal static long ScratchBytes(Device device, NonLocalOptions options, int channels, Shape input, long attentionBudget, bool factorDotProduct,
        NonLocalAttention? attention = null) =>
        Plan(device, options, channels, input, attentionBudget, "nonlocal", factorDotProduct, attention ?? NonLocalAttention.Default).ScratchBytes;

    public void Record(CommandList list)
    {
        var g = _g;
        foreach (var op in _poolsBefore.Concat(_thetaOps).Concat(_keyValueOps).Concat(_poolsAfter))
            op.Record(list);

        var gaussian = g.Options.Instantiation == NonLocalInstantiation.Gaussian;
        var vOffset = gaussian ? 0 : g.Ip / 4;
        var scale = Scale(g);
        var texels = g.Segments * g.D4 * g.Lk4;
        list.Dispatch(_transpose, FlatGroups(texels, FlatLocalSize), new TransposePush((uint)(g.D4 * 4), (uint)KeyStride(g), 0, (uint)g.Per,
            (uint)g.KOuter, (uint)g.Step, (uint)g.Lk, (uint)g.Lk4, (uint)texels), _k, _keysT);
        if (g.Factored)
            RecordFactored(list);
        else if (g.Fused is not null)
            RecordFused(list, vOffset, scale);
        else
            RecordBlocks(list, vOffset, scale);
        foreach (var op in _outOps)
            op.Record(list);
    }

    /// <summary>
    /// Dot product as two attention passes over whole segments (per = step = 1: a segment's queries,
    /// keys and M rows are consecutive). M[s][c] = sum_k KT[s][c][k] g[k]: the transposed keys are the
    /// weights, channels c the "queries", rows s * Ip + c. Then y[q] = (1/N) sum_c theta[q][c] M[s][c]:
    /// theta is the weights, the Ip channels the "keys".
    /// </summary>
    private void RecordFactored(CommandList list)
    {
        var g = _g;
        var (ip4, segments) = (g.Ip / 4, (uint)g.Segments);
        var groups = new Groups(Groups.Cover(Groups.Cover(ip4, TileC4), LocalSize), Groups.Cover(g.Ip, TileQ), segments);
        list.Dispatch(_attend, groups, new AttendPush((uint)ip4, (uint)(g.KvWidth / 4), (uint)ip4, (uint)ip4, 1, (uint)g.Ip, (uint)g.KOuter, 1,
            (uint)g.Ip, 0, 0, (uint)g.Ip, (uint)g.Lk, 0, (uint)(g.Lk4 / 4), (uint)g.Lk4, 1, 1, 1f), _keysT, _v, _stats, _scoresBuffer);
        groups = new Groups(Groups.Cover(Groups.Cover(ip4, TileC4), LocalSize), Groups.Cover(g.Lq, TileQ), segments);
        list.Dispatch(_attend, groups, new AttendPush((uint)ip4, (uint)ip4, 0, (uint)ip4, 1, (uint)g.Lq, (uint)g.Ip, 1,
            (uint)g.Lq, 0, 0, (uint)g.Lq, (uint)g.Ip, 0, (uint)ip4, (uint)g.Ip, 1, 1, Scale(g)), _q, _scoresBuffer, _stats, _y);
    }

    /// <summary>Softmax attention in one dispatch per range of segments (segments on z, query tiles on x).</summary>
    private void RecordFused(CommandList list, int vOffset, float scale)
    {
        var g = _g;
        var fused = g.Fused!;
        var chunks = (g.Lk + fused.KeyChunk - 1) / fused.KeyChunk;
        var x = Groups.Cover(Groups.Cover(g.Lq, fused.QueryTile), LocalSize);
        for (var s0 = 0L; s0 < g.Segments; s0 += _device.MaxGroupsZ)
        {
            var ns = (uint)Math.Min(_device.MaxGroupsZ, g.Segments - s0);
            var push = new FusedPush((uint)g.D4, (uint)g.D4, (uint)g.Lk4, (uint)(g.Ip / 4), (uint)(g.KvWidth / 4), (uint)vOffset, (uint)(g.Ip / 4),
                (uint)g.Per, (uint)g.QOuter, (uint)g.KOuter, (uint)g.Step, (uint)g.Lq, (uint)s0, (uint)g.Lk, (uint)chunks, scale);
            list.Dispatch(_fused!, new Groups(x, 1, ns), push, _q, _keysT, _v, _y);
        }
    }

    private void RecordBlocks(CommandList list, int vOffset, float scale)
    {
        var g = _g;
        foreach (var (s0, ns, i0, nq) in g.Chunks)
        {
            for (var block = 0; block < g.KeyBlocks; block++)
            {
                var k0 = block * g.Kbp;
                var kb = Math.Min(g.Kbp, g.Lk - k0);
                var kb4 = (kb + 3) / 4;
                var scores = new ScoresPush((uint)g.D4, (uint)g.D4, (uint)g.Lk4, (uint)g.Per, (uint)g.QOuter, (uint)g.Step,
                    (uint)g.Lq, (uint)s0, (uint)i0, (uint)nq, (uint)g.Lk, (uint)k0, (uint)g.Kbp, scale);
                var keyTiles = Groups.Cover(g.Kbp, TileK4 * 4);
                list.Dispatch(_scores, new Groups(Groups.Cover(keyTiles, LocalSize), Groups.Cover(nq, TileQ), (uint)ns), scores,
                    _q, _keysT, _concat, _scoresBuffer);
                if (_softmax is not null)
                {
                    var rows = (long)ns * nq;
                    list.Dispatch(_softmax, FlatGroups(rows, FlatLocalSize),
                        new SoftmaxPush((uint)rows, (uint)nq, (uint)g.Lq, (uint)s0, (uint)i0, (uint)kb4, (uint)g.Kbp, block == 0 ? 1u : 0u),
                        _scoresBuffer, _scoresBuffer, _stats);
                }
                var attend = new AttendPush((uint)(g.Ip / 4), (uint)(g.KvWidth / 4), (uint)vOffset, (uint)(g.Ip / 4), (uint)g.Per, (uint)g.QOuter,
                    (uint)g.KOuter, (uint)g.Step, (uint)g.Lq, (uint)s0, (uint)i0, (uint)nq, (uint)g.Lk, (uint)k0, (uint)kb4, (uint)g.Kbp,
                    block == 0 ? 1u : 0u, block == g.KeyBlocks - 1 ? 1u : 0u, 1f);
                var channelTiles = Groups.Cover(g.Ip / 4, TileC4);
                list.Dispatch(_attend, new Groups(Groups.Cover(channelTiles, LocalSize), Groups.Cover(nq, TileQ), (uint)ns), attend,
                    _scoresBuffer, _v, _stats, _y);
            }
        }
    }

    /// <summary>
    /// Records the attention weights f(x_i, x_j)/C(x) of one query over its <see cref="KeysPerQuery"/>
    /// keys (in the flat order of the subsampled positions of its frame, group, clip or time line)
    /// into <paramref name="weights"/>. The query is read when the list runs, from
    /// <paramref name="query"/>: four floats (x, y, t, n), x, y and t fractions of the input's width,
    /// height and frames (the position is floor(fraction * extent)), n the clip; so a new query is a
    /// write to that tensor, not a new recording. It reads the block's scratch, so record it right
    /// after <see cref="Record"/>, before anything else reuses that memory.
    /// </summary>
    public void RecordAttentionMap(CommandList list, Tensor query, Tensor weights)
    {
        var g = _g;
        if (query.ElementCount != QueryElements || query.Type != DataType.Float32 || !query.IsContiguous)
            throw new EngineException($"{Name}: attention query {query} must be {QueryElements} contiguous floats (x, y, t, clip).");
        if (weights.ElementCount != g.Lk || weights.Type != DataType.Float32 || !weights.IsContiguous)
            throw new EngineException($"{Name}: attention map {weights} must be {g.Lk} contiguous floats.");
        var (segmentsPerClip, tDiv, tMul, hwMul) = g.Options.Mode switch
        {
            NonLocalMode.Space => (g.T, 1, 1, 0),
            NonLocalMode.Time => (g.FramePixels, 1, 0, 1),
            _ when g.Options.Group > 0 => (g.T / g.Options.Group, g.Options.Group, 1, 0),
            _ => (1, 1, 0, 0),
        };
        list.Dispatch(_map, new Groups(1), new MapPush((uint)g.D4, (uint)g.D4, (uint)KeyStride(g), 0, (uint)g.Input[0], (uint)g.T, (uint)g.H, (uint)g.W,
            (uint)segmentsPerClip, (uint)tDiv, (uint)tMul, (uint)hwMul, (uint)g.Per, (uint)g.KOuter, (uint)g.Step, (uint)g.Lk, Scale(g)), _q, _k, _concat, weights, query);
    }

    /// <summary>Texels per row of the tensor phi is read from: x (Gaussian) or [phi | g].</summary>
    private static int KeyStride(Geometry g) => g.Options.Instantiation == NonLocalInstantiation.Gaussian ? g.D4 : g.KvWidth / 4;

    /// <summary>The factor on the logits: 1/sqrt(inner) for scaled embedded Gaussian, 1/N for dot product and concatenation.</summary>
    private static float Scale(Geometry g) => g.Options.Instantiation switch
    {
        NonLocalInstantiation.EmbeddedGaussian when g.Options.Scale => 1f / MathF.Sqrt(g.Options.Inner),
        NonLocalInstantiation.DotProduct or NonLocalInstantiation.Concatenation => 1f / g.Lk,
        _ => 1f,
    };

    private Groups FlatGroups(long invocations, int local) => StridedCopy.FlatGrid(_device, Groups.Cover(invocations, local));

    /// <summary>Max-pool with kernel = stride = the block's pool, between (rows, width) matrices of the input's and the keys' positions.</summary>
    private Pool MaxPool(Tensor input, Tensor output, string name)
    {
        var g = _g;
        var width = output.Shape[1];
        var (pt, ph, pw) = g.Options.PoolKernel;
        return new Pool(_device, PoolKind.Max, input.Reshape(new Shape(g.Input[0], g.T, g.H, g.W, width)),
            output.Reshape(new Shape(g.Input[0], g.Tk, g.Hk, g.Wk, width)), new Size3(pt, ph, pw), name: name);
    }

    /// <summary>
    /// C = A B + bias (+ residual) as GEMMs over row chunks whose outputs each fit one storage-buffer
    /// binding, with the register tiles of a 1x1 convolution of the same shape or, on
    /// <see cref="Tiling.SharedMemory"/>, the shared-memory block of <see cref="Gemm.DefaultSharedBlock"/>.
    /// </summary>
    private void AddGemms(List<IOp> ops, Tensor a, Tensor b, Tensor c, Tensor bias, Tensor? residual, string name)
    {
        var (k, n) = (a.Shape[1], c.Shape[1]);
        var (tileM, tileN4) = _g.Gemms == Tiling.SharedMemory
            ? Gemm.DefaultSharedBlock
            : (ConvDefaults.RowTile(a.Shape[0]), ConvDefaults.ColumnTile(n / 4));
        foreach (var (start, count) in RowChunks.Split(a.Shape[0], _device.Limits.maxStorageBufferRange, _device.BindingAlignment, n * 4L, k * 4L))
        {
            ops.Add(new Gemm(_device, RowChunks.View(a, start, count, k), b, RowChunks.View(c, start, count, n), bias,
                residual is null ? null : RowChunks.View(residual, start, count, n), tileM: tileM, tileN4: tileN4, name: name, tiling: _g.Gemms));
        }
    }

    private static Geometry Plan(Device device, NonLocalOptions options, int channels, Shape input, long budget, string name, bool factorDotProduct,
        NonLocalAttention attention)
    {
        options.Validate();
        attention.Validate();
        if (input.Rank != 5)
            throw new EngineException($"{name}: input {input} must be channels-last (N, T, H, W, Cp).");
        var (n, t, h, w, cp) = (input[0], input[1], input[2], input[3], input[4]);
        if (cp != ChannelsLast.Padded(channels))
            throw new EngineException($"{name}: input {input} has {cp} channels; {channels} channels are stored as {ChannelsLast.Padded(channels)}.");
        var (pt, ph, pw) = options.PoolKernel;
        var (tk, hk, wk) = (t / pt, h / ph, w / pw);
        if (n * tk * hk * wk == 0)
            throw new EngineException($"{name}: input {input} pooled by [{pt}, {ph}, {pw}] leaves no keys.");
        if (options.Group > 0 && t % options.Group != 0)
            throw new EngineException($"{name}: {t} frames of input {input} do not split into groups of {options.Group}.");
        var ip = ChannelsLast.Padded(options.Inner);
        var gaussian = options.Instantiation == NonLocalInstantiation.Gaussian;
        var softmax = options.Instantiation is NonLocalInstantiation.Gaussian or NonLocalInstantiation.EmbeddedGaussian;
        var pixels = (long)n * t * h * w;
        var keys = (long)n * tk * hk * wk;
        var (hw, hwk) = (h * w, hk * wk);
        var (segments, lq, lk, per, step) = options.Mode switch
        {
            NonLocalMode.Space => ((long)n * t, hw, hwk, 1, 1),
            NonLocalMode.Time => ((long)n * hw, t, tk, hw, hw),
            _ when options.Group > 0 => ((long)n * (t / options.Group), options.Group * hw, options.Group / pt * hwk, 1, 1),
            _ => (n, t * hw, tk * hwk, 1, 1),
        };
        var (qOuter, kOuter) = options.Mode == NonLocalMode.Time ? (t * hw, tk * hw) : (lq, lk);
        var limits = device.Limits;
        var maxBinding = (long)limits.maxStorageBufferRange;
        var lk4 = RoundUp(lk, 4);
        var d4 = gaussian ? cp / 4 : ip / 4;
        var keysT = segments * d4 * 4 * lk4;
        if (pixels > int.MaxValue / 4 || pixels * ip * 4 > maxBinding || keysT * 4 > maxBinding)
            throw new EngineException($"{name}: input {input} gives y ({pixels} x {ip} floats) or transposed keys ({keysT} floats) " +
                $"larger than one storage-buffer binding ({maxBinding} bytes).");

        // The per-block score buffer: whole segments when a segment's affinity fits, else key blocks
        // over as many queries of one segment as fit.
        var chunkFloats = Math.Min(budget, maxBinding) / 4;
        var kbFull = RoundUp(lk, 8);
        // Segments go on z, query tiles on y.
        var maxZ = (long)device.MaxGroupsZ;
        var maxQ = (long)device.MaxGroupsY * TileQ;
        var factored = factorDotProduct && options.Instantiation == NonLocalInstantiation.DotProduct && options.Mode != NonLocalMode.Time
            && segments <= maxZ && lq <= maxQ && segments * ip * ip * 4 <= maxBinding;
        // Fused softmax attention: y (read and written by the kernel) is a storage texel buffer, query
        // tiles go on x. A device whose limits do not allow that runs the blocked path (Variant says so).
        var fused = attention.Kernel == AttentionKernel.Fused && softmax
            && pixels * ip / 4 <= limits.maxTexelBufferElements
            && Groups.Cover(Groups.Cover(lq, attention.QueryTile), LocalSize) <= device.MaxGroupsX
            ? attention with { KeyChunk = attention.ChunkFor(lk) } : null;
        // Shared-memory GEMMs where the device's workgroup limits allow them; else the register tiles (Variant says so).
        var (sharedM, sharedN4) = Gemm.DefaultSharedBlock;
        var gemms = attention.Gemms == Tiling.SharedMemory && Gemm.SharedBlockFits(device, sharedM, sharedN4) ? Tiling.SharedMemory : Tiling.Registers;
        int kbp, nq, ns;
        if (factored)
        {
            (kbp, nq, ns) = (kbFull, lq, (int)segments);
        }
        else if ((long)lq * kbFull <= chunkFloats && lq <= maxQ)
        {
            (kbp, nq) = (kbFull, lq);
            ns = (int)Math.Min(Math.Min(segments, chunkFloats / ((long)lq * kbFull)), maxZ);
        }
        else
        {
            kbp = (int)Math.Clamp(chunkFloats / lq / 8 * 8, 8, kbFull);
            nq = (int)Math.Min(Math.Min(lq, chunkFloats / kbp), maxQ);
            ns = 1;
        }
        if (nq == 0)
            throw new EngineException($"{name}: an attention budget of {budget} bytes cannot hold one block of {kbp} keys.");
        var chunks = new List<(int, int, int, int)>();
        for (var s0 = 0L; s0 < segments; s0 += ns)
        {
            for (var i0 = 0; i0 < lq; i0 += nq)
                chunks.Add(((int)s0, (int)Math.Min(ns, segments - s0), i0, Math.Min(nq, lq - i0)));
        }

        var kvWidth = gaussian ? ip : 2 * ip;
        var regions = new List<(string Name, long Floats)>();
        if (options.Subsample != NonLocalSubsample.None && (options.Subsample == NonLocalSubsample.PoolThenConv || gaussian))
            regions.Add(("pooled_x", keys * cp));
        if (!gaussian)
            regions.Add(("theta", pixels * ip));
        if (options.Subsample == NonLocalSubsample.ConvThenPool)
            regions.Add(("kv_full", pixels * kvWidth));
        regions.Add(("kv", keys * kvWidth));
        regions.Add(("keys_t", keysT));
        regions.Add(("y", pixels * ip));
        var blockFloats = (long)ns * nq * kbp;
        if (fused is null)
        {
            if (softmax)
                regions.Add(("stats", pixels * 4));
            regions.Add(factored ? ("m", segments * ip * ip) : ("scores", blockFloats));
        }
        var bytes = ScratchCursor.Bytes(device.BindingAlignment, regions.Select(r => r.Floats * 4));

        return new Geometry(options, input, cp, ip, d4, kvWidth, softmax, factored, fused, gemms, t, h, w, tk, hk, wk, (int)pixels, (int)keys,
            hw, segments, lq, lk, per, step, qOuter, kOuter, lk4, kbp, (lk + kbp - 1) / kbp, (int)blockFloats, chunks, regions, bytes);
    }

    private static int RoundUp(int n, int multiple) => (n + multiple - 1) / multiple * multiple;

    private sealed record Geometry(NonLocalOptions Options, Shape Input, int Cp, int Ip, int D4, int KvWidth, bool Softmax, bool Factored, NonLocalAttention? Fused,
        Tiling Gemms, int T, int H, int W, int Tk, int Hk, int Wk, int Pixels, int Keys, int FramePixels,
        long Segments, int Lq, int Lk, int Per, int Step, int QOuter, int KOuter, int Lk4, int Kbp, int KeyBlocks, int ChunkFloats,
        IReadOnlyList<(int S0, int Ns, int I0, int Nq)> Chunks, IReadOnlyList<(string Name, long Floats)> Regions, long ScratchBytes)
    {
        public string Variant => (Factored ? "attention factored" : Fused is { } f ? $"attention fused q{f.QueryTile} k{f.KeyChunk}" : "attention blocked")
            + (Gemms == Tiling.SharedMemory ? " gemm-shared" : "");
    }

    private readonly record struct TransposePush(uint D, uint KStride, uint KOffset, uint Per, uint KOuter, uint Step, uint Lk, uint Lk4, uint Texels);

    private readonly record struct ScoresPush(uint D4, uint QStride, uint Lk4, uint Per, uint QOuter, uint Step,
        uint Lq, uint S0, uint I0, uint Nq, uint Lk, uint K0, uint Kbp, float Scale);

    private readonly record struct SoftmaxPush(uint Rows, uint Nq, uint Lq, uint S0, uint I0, uint Kb4, uint Kbp, uint First);

    private readonly record struct AttendPush(uint Dv4, uint VStride, uint VOffset, uint YStride, uint Per, uint QOuter, uint KOuter, uint Step,
        uint Lq, uint S0, uint I0, uint Nq, uint Lk, uint K0, uint Kb4, uint Kbp, uint First, uint Last, float Scale);

    private readonly record struct FusedPush(uint D4, uint QStride, uint Lk4, uint Dv4, uint VStride, uint VOffset, uint YStride, uint Per,
        uint QOuter, uint KOuter, uint Step, uint Lq, uint S0, uint Lk, uint Chunks, float Scale);

    private readonly record struct MapPush(uint D4, uint QStride, uint KStride, uint KOffset, uint Clips, uint Frames, uint Height, uint Width,
        uint SegmentsPerClip, uint TDiv, uint TMul, uint HwMul, uint Per, uint KOuter, uint Step, uint Lk, float Scale);
}
