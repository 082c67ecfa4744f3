using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Greedy non-maximum suppression with torchvision's semantics (shaders/detection/nms.comp): the
/// candidates sorted by score descending (lower index first on ties) by a <see cref="TopK"/> of
/// <c>capacity</c> (a radix select first when there are many); a box suppresses every later
/// box of the same group whose IoU with it is strictly above the threshold (no +1 in widths). With
/// <c>groups</c> (class per box, or FPN level) it is torchvision's batched_nms, computed by comparing
/// the groups rather than by its coordinate offsets, which give the same result without the rounding
/// those offsets add. Bitmask method: one dispatch builds per sorted box the 32-bit words of later
/// boxes it suppresses, one invocation walks them in order (over several dispatches of bounded loop
/// length, see <see cref="WalkIterations"/>). Writes the kept indices (into boxes and scores),
/// highest score first, at most the output's length, -1 past <c>keepCount</c>.
/// Only the <c>capacity</c> highest-scoring candidates take part (all when they are fewer): the mask
/// costs capacity^2 / 8 bytes of scratch, so class-aware NMS over R x K candidates should cap it.
/// </summary>
public sealed class Nms : IOp
{
    private const int LocalSize = 64;

    /// <summary>
    /// Loop iterations one walk dispatch may take. Mesa's llvmpipe (lavapipe) silently ends every loop
    /// of an invocation once they have run 65535 iterations between them, which cut a single walk
    /// over ~3500 candidates short at 736 kept; a long serial loop in one invocation also stalls real
    /// GPUs. So the walk is split into dispatches of at most this many iterations each.
    /// </summary>
    private const int WalkIterations = 32768;

    private readonly TopK _order;
    private readonly Pipeline _prepare;
    private readonly Pipeline _mask;
    private readonly Pipeline _walk;
    private readonly Pipeline _finish;
    private readonly Tensor[] _bindings;
    private readonly Push _push;
    private readonly int _capacity;
    private readonly int _words;
    private readonly int _maxKeep;

    /// <remarks>
    /// <c>boxes</c>: (R, 4) or (R, K, 4) float32, indexed flat like the scores.<br/>
    /// <c>scores</c>: (R) or (R, K) float32.<br/>
    /// <c>keep</c>: (maxKeep) int32 kept indices.<br/>
    /// <c>keepCount</c>: (1) uint32.<br/>
    /// <c>scratch</c>: At least <see cref="ScratchBytes"/> bytes of working memory.<br/>
    /// <c>candidates</c>: Optional (n) int32 candidate indices (a <see cref="ScoreFilter"/> output); else all boxes.<br/>
    /// <c>count</c>: Optional (1) uint32 valid candidates (or valid leading boxes without candidates).<br/>
    /// <c>groups</c>: Optional (R) or (R, K) int32 group per box: boxes of different groups never suppress each other.<br/>
    /// <c>capacity</c>: Most candidates taking part, highest scores first; 0 for all of them.<br/>
    /// </remarks>
    public Nms(Device device, Tensor boxes, Tensor scores, Tensor keep, Tensor keepCount, float iouThreshold, Tensor scratch,
        Tensor? candidates = null, Tensor? count = null, Tensor? groups = null, int capacity = 0, string name = "nms")
    {
        Name = name;
        var r = DetectionTensors.RequireBoxes(name, "boxes", boxes);
        if (DetectionTensors.RequireVector(name, "scores", scores, DataType.Float32) != r)
            throw new EngineException($"{name}: scores {scores.Shape} must have one score per box of {boxes.Shape}.");
        if (groups is not null && DetectionTensors.RequireVector(name, "groups", groups, DataType.Int32) != r)
            throw new EngineException($"{name}: groups {groups.Shape} must have one group per box of {boxes.Shape}.");
        var maxKeep = DetectionTensors.RequireVector(name, "keep", keep, DataType.Int32);
        DetectionTensors.RequireCount(name, "keepCount", keepCount);
        DetectionTensors.RequireCount(name, "count", count);
        var n = candidates is null ? r : DetectionTensors.RequireVector(name, "candidates", candidates, DataType.Int32);
        _capacity = Capacity(n, capacity);
        _words = (_capacity + 31) / 32;
        if ((ulong)_capacity * (ulong)_words * 4 > device.Limits.maxStorageBufferRange)
            throw new EngineException($"{name}: a capacity of {_capacity} candidates needs a {(long)_capacity * _words * 4}-byte mask, more than one binding holds; lower the capacity.");

        var cursor = new DetectionTensors.ScratchCursor(name, scratch, device.BindingAlignment);
        var topScratch = cursor.Take("top-k scratch", new Shape(checked((int)((TopK.ScratchBytes(n) + 3) / 4))), DataType.Float32);
        var order = cursor.Take("order", new Shape(_capacity), DataType.Int32);
        var orderCount = cursor.Take("order count", new Shape(1), DataType.UInt32);
        var sorted = cursor.Take("sorted boxes", new Shape(_capacity, 4), DataType.Float32);
        var sortedGroups = cursor.Take("sorted groups", new Shape(_capacity), DataType.Int32);
        var mask = cursor.Take("mask", new Shape(_capacity * _words), DataType.UInt32);
        var removed = cursor.Take("removed", new Shape(_words), DataType.UInt32);
        _order = new TopK(device, scores, order, orderCount, topScratch, candidates, count, $"{name} order");
        _bindings = [order, orderCount, boxes, groups ?? keep, sorted, sortedGroups, mask, removed, keep, keepCount];
        _maxKeep = maxKeep;
        _push = new Push((uint)_capacity, (uint)_words, (uint)maxKeep, iouThreshold, 0, 0);
        var hasGroups = SpecConstant.Bool(1, groups is not null);
        _prepare = device.Pipeline("detection/nms", SpecConstant.UInt(0, 0), hasGroups);
        _mask = device.Pipeline("detection/nms", SpecConstant.UInt(0, 1), hasGroups);
        _walk = device.Pipeline("detection/nms", SpecConstant.UInt(0, 2), hasGroups);
        _finish = device.Pipeline("detection/nms", SpecConstant.UInt(0, 3), hasGroups);
        Flops = 12.0 * _capacity * _capacity / 2;
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>Working memory for <paramref name="candidates"/> candidates of which <paramref name="capacity"/> (0: all) take part.</summary>
    public static long ScratchBytes(Device device, int candidates, int capacity = 0)
    {
        var alignment = device.BindingAlignment;
        var c = (ulong)Capacity(candidates, capacity);
        var words = (c + 31) / 32;
        ulong total = 0;
        foreach (var bytes in new ulong[] { (ulong)TopK.ScratchBytes(candidates), c * 4, 4, c * 16, c * 4, c * words * 4, words * 4 })
            total = DetectionTensors.Align(total, alignment) + bytes;
        return (long)total;
    }

    private static int Capacity(int candidates, int capacity) => capacity > 0 ? Math.Min(capacity, candidates) : candidates;

    public void Record(CommandList list)
    {
        _order.Record(list);
        list.Dispatch(_prepare, StridedCopy.FlatGrid(Groups.Cover(_capacity, LocalSize)), _push, _bindings);
        list.Dispatch(_mask, StridedCopy.FlatGrid(Groups.Cover((long)_capacity * _words, LocalSize)), _push, _bindings);
        // Each walked row costs one iteration plus at most one per mask word; clearing costs W.
        var rows = Math.Max(1, (WalkIterations - _words) / (_words + 1));
        for (var start = 0; start < _capacity; start += rows)
            list.Dispatch(_walk, new Groups(1), _push with { Start = (uint)start, End = (uint)Math.Min(_capacity, start + rows) }, _bindings);
        list.Dispatch(_finish, StridedCopy.FlatGrid(Groups.Cover(_maxKeep, LocalSize)), _push, _bindings);
    }

    private readonly record struct Push(uint C, uint W, uint MaxKeep, float Threshold, uint Start, uint End);
}
