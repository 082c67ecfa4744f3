using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Greedy non-maximum suppression with torchvision's semantics over any number of candidates
/// (shaders/detection/nms.comp): all candidates sorted by score descending (lower index first on
/// ties, as torchvision's stable sort) by a <see cref="TopK"/> of all of them; a box suppresses every
/// later box of the same group whose IoU with it is strictly above the threshold (no +1 in widths).
/// With <c>groups</c> (class per box, or FPN level) it is torchvision's batched_nms: groups compared
/// (its _batched_nms_vanilla) past <see cref="OffsetLimit"/> valid candidates, and up to it the IoU
/// of boxes shifted by group x (largest coordinate + 1) in fp32 (its _batched_nms_coordinate_trick,
/// whose rounding can decide an IoU at the threshold). Bitmask method in chunks of sorted boxes
/// (<see cref="FirstChunkRows"/>, then twice as many each up to <see cref="ChunkRows"/>): per chunk
/// one dispatch builds the chunk's R x R suppression bits and marks the boxes an earlier chunk's
/// kept boxes suppress, and one invocation walks the
/// chunk in order (over several dispatches of bounded loop length, see <see cref="WalkIterations"/>),
/// so scratch grows linearly with the candidates and nothing is cut. The chunks' dispatches are
/// indirect, sized on the GPU by the valid count (as is the sort, see <see cref="BitonicSort"/>):
/// the first chunk's by the plan after the sort, each later one's by the walk before it, and only
/// while fewer than <c>maxKeep</c> boxes are kept and valid candidates remain: greedy NMS decides each
/// box from the boxes before it, so the first maxKeep kept are final, and the chunks past that point
/// run no workgroups. A frame records dispatches for every chunk the capacity could need but runs
/// those of the chunks it does need. Writes the kept
/// indices (into boxes and scores), highest score first, at most the output's length, -1 past
/// <c>keepCount</c>.
/// </summary>
public sealed class Nms : IOp
{
    /// <summary>
    /// The most sorted boxes per chunk: the suppression mask is ChunkRows^2 / 8 bytes (512 KiB).
    /// </summary>
    public const int ChunkRows = 2048;

    /// <summary>
    /// Sorted boxes of the first chunk; each next chunk is twice as long up to <see cref="ChunkRows"/>,
    /// so a result complete after a few hundred boxes (the box head's usual case) builds masks of
    /// 256^2 + 512^2 bits rather than 2048^2, and a large candidate count adds only three chunks.
    /// </summary>
    public const int FirstChunkRows = 256;

    /// <summary>
    /// Most valid grouped candidates for which torchvision's batched_nms shifts boxes by group rather
    /// than comparing groups: boxes.numel() &lt;= 4000 on the CPU (torchvision/ops/boxes.py: batched_nms).
    /// </summary>
    public const int OffsetLimit = 1000;

    private const int LocalSize = 64;

    /// <summary>
    /// Loop iterations one walk dispatch may take. Mesa's llvmpipe (lavapipe) silently ends every loop
    /// of an invocation once they have run 65535 iterations between them, which cut a single walk
    /// over ~3500 candidates short at 736 kept; a long serial loop in one invocation also stalls real
    /// GPUs. So each chunk's walk is split into dispatches of at most this many iterations each.
    /// </summary>
    private const int WalkIterations = 32768;

    private readonly Device _device;
    private readonly TopK _order;
    private readonly Pipeline _reset;
    private readonly Pipeline _prepare;
    private readonly Pipeline _mask;
    private readonly Pipeline _walk;
    private readonly Pipeline _finish;
    private readonly Tensor[] _bindings;
    private readonly Tensor[] _arguments;
    private readonly Push _push;
    private readonly int _n;
    private readonly int _rows;
    private readonly int _words;
    private readonly int _maxKeep;
    private readonly (int C0, int C1)[] _chunks;

    /// <remarks>
    /// <c>boxes</c>: (R, 4) or (R, K, 4) float32, indexed flat like the scores.<br/>
    /// <c>scores</c>: (R) or (R, K) float32.<br/>
    /// <c>keep</c>: (maxKeep) int32 kept indices.<br/>
    /// <c>keepCount</c>: (1) uint32.<br/>
    /// <c>scratch</c>: At least <see cref="ScratchBytes"/> bytes of working memory.<br/>
    /// <c>candidates</c>: Optional (n) int32 candidate indices (a <see cref="ScoreFilter"/> output); else all boxes.<br/>
    /// <c>count</c>: Optional (1) uint32 valid candidates (or valid leading boxes without candidates).<br/>
    /// <c>groups</c>: Optional (R) or (R, K) int32 group per box: boxes of different groups never suppress each other.<br/>
    /// </remarks>
    public Nms(Device device, Tensor boxes, Tensor scores, Tensor keep, Tensor keepCount, float iouThreshold, Tensor scratch,
        Tensor? candidates = null, Tensor? count = null, Tensor? groups = null, string name = "nms")
    {
        _device = device;
        Name = name;
        var r = DetectionTensors.RequireBoxes(name, "boxes", boxes);
        if (DetectionTensors.RequireVector(name, "scores", scores, DataType.Float32) != r)
            throw new EngineException($"{name}: scores {scores.Shape} must have one score per box of {boxes.Shape}.");
        if (groups is not null && DetectionTensors.RequireVector(name, "groups", groups, DataType.Int32) != r)
            throw new EngineException($"{name}: groups {groups.Shape} must have one group per box of {boxes.Shape}.");
        var maxKeep = DetectionTensors.RequireVector(name, "keep", keep, DataType.Int32);
        DetectionTensors.RequireCount(name, "keepCount", keepCount);
        DetectionTensors.RequireCount(name, "count", count);
        _n = candidates is null ? r : DetectionTensors.RequireVector(name, "candidates", candidates, DataType.Int32);
        _rows = Rows(device, _n);
        _words = (_rows + 31) / 32;

        var cursor = new ScratchCursor(name, scratch, device.BindingAlignment);
        var topScratch = cursor.Take("top-k scratch", new Shape(checked((int)((TopK.ScratchBytes(_n) + 3) / 4))), DataType.Float32);
        var order = cursor.Take("order", new Shape(_n), DataType.Int32);
        var orderCount = cursor.Take("order count", new Shape(1), DataType.UInt32);
        var sorted = cursor.Take("sorted boxes", new Shape(_n, 4), DataType.Float32);
        var sortedGroups = cursor.Take("sorted groups", new Shape(_n), DataType.Int32);
        var mask = cursor.Take("mask", new Shape(_rows * _words), DataType.UInt32);
        var removed = cursor.Take("removed", new Shape(_words), DataType.UInt32);
        var state = cursor.Take("state", new Shape(1), DataType.UInt32);
        _chunks = [.. ChunkBounds(_n, _rows)];
        var chunks = _chunks.Length;
        var arguments = cursor.Take("dispatch arguments", new Shape(ArgumentCount(chunks)), DataType.UInt32);
        _arguments = [.. Enumerable.Range(0, 1 + 2 * chunks).Select(s =>
            new Tensor(arguments.Buffer, arguments.ByteOffset + (ulong)s * 12, new Shape(3), DataType.UInt32, $"{arguments.Name} [{s}]"))];
        _order = new TopK(device, scores, order, orderCount, topScratch, candidates, count, $"{name} order");
        _bindings = [order, orderCount, boxes, groups ?? keep, sorted, sortedGroups, mask, removed, state, keep, keepCount, arguments];
        _maxKeep = maxKeep;
        _push = new Push((uint)_n, (uint)_words, (uint)maxKeep, iouThreshold, 0, 0, 0, 0, (uint)_rows, (uint)chunks, 0);
        Pipeline Phase(uint phase) => device.Pipeline("detection/nms", SpecConstant.UInt(0, phase), SpecConstant.Bool(1, groups is not null),
            SpecConstant.UInt(2, OffsetLimit));
        (_prepare, _mask, _walk, _reset, _finish) = (Phase(0), Phase(2), Phase(3), Phase(4), Phase(5));
        Flops = 12.0 * _n * Math.Min(_n, _rows) / 2;
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>
    /// Working memory for <paramref name="candidates"/> candidates: linear in them (sort keys, order,
    /// sorted boxes, 24 bytes of dispatch arguments per chunk) plus one chunk's mask.
    /// </summary>
    public static long ScratchBytes(Device device, int candidates)
    {
        var n = (long)candidates;
        var rows = Rows(device, candidates);
        var words = (long)(rows + 31) / 32;
        var arguments = (long)ArgumentCount(ChunkBounds(candidates, rows).Count()) * 4;
        // In the order the constructor takes them.
        return ScratchCursor.Bytes(device.BindingAlignment, TopK.ScratchBytes(candidates), n * 4, 4, n * 16, n * 4, rows * words * 4, words * 4, 4, arguments);
    }

    /// <summary>The chunks [c0, c1) of the sorted candidates: <see cref="FirstChunkRows"/>, then twice as many each, up to <paramref name="rows"/>; at least one.</summary>
    private static IEnumerable<(int C0, int C1)> ChunkBounds(int candidates, int rows)
    {
        var size = Math.Min(FirstChunkRows, rows);
        var c0 = 0;
        do
        {
            yield return (c0, Math.Min(candidates, c0 + size));
            c0 += size;
            size = Math.Min(2 * size, rows);
        }
        while (c0 < candidates);
    }

    /// <summary>uint32 of indirect arguments: PHASE 0's, then each chunk's PHASE 2 and 3 (x, y, z).</summary>
    private static int ArgumentCount(int chunks) => 3 * (1 + 2 * chunks);

    /// <summary>
    /// Rows one walk dispatch may take within <see cref="WalkIterations"/>: a walked row costs one
    /// iteration, a kept one W more (at most maxKeep are kept), clearing Removed W.
    /// </summary>
    private static int WalkRows(int rows, int words, int maxKeep)
    {
        var budget = (long)WalkIterations - words;
        var allKept = Math.Max(1, budget / (words + 1));
        var capped = budget - (long)maxKeep * words;
        return (int)Math.Clamp(capped >= maxKeep ? capped : allKept, 1, rows);
    }

    /// <summary>
    /// Rows per chunk: <see cref="ChunkRows"/> (fewer when the candidates are fewer), halved until the
    /// chunk's mask fits one storage binding of the device.
    /// </summary>
    private static int Rows(Device device, int candidates)
    {
        var rows = Math.Min(ChunkRows, (candidates + 31) / 32 * 32);
        while (rows > 32 && (ulong)rows * (ulong)((rows + 31) / 32) * 4 > device.Limits.maxStorageBufferRange)
            rows /= 2;
        return Math.Max(rows, 32);
    }

    public void Record(CommandList list)
    {
        _order.Record(list);
        list.Dispatch(_reset, new Groups(1), _push with { C1 = (uint)_chunks[0].C1 }, _bindings);
        list.DispatchIndirect(_prepare, _arguments[0], _push, _bindings);
        for (var c = 0; c < _chunks.Length; c++)
        {
            var (c0, c1) = _chunks[c];
            var chunk = _push with { C0 = (uint)c0, C1 = (uint)c1, Chunk = (uint)c };
            list.DispatchIndirect(_mask, _arguments[1 + 2 * c], chunk, _bindings);
            var walkRows = WalkRows(c1 - c0, (c1 - c0 + 31) / 32, _maxKeep);
            for (var start = c0; start < c1; start += walkRows)
                list.DispatchIndirect(_walk, _arguments[2 + 2 * c], chunk with { Start = (uint)start, End = (uint)Math.Min(c1, start + walkRows) }, _bindings);
        }
        list.Dispatch(_finish, StridedCopy.FlatGrid(_device, Groups.Cover(_maxKeep, LocalSize)), _push, _bindings);
    }

    private readonly record struct Push(uint N, uint W, uint MaxKeep, float Threshold, uint C0, uint C1, uint Start, uint End, uint Rows, uint Chunks, uint Chunk);
}
