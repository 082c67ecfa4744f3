using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The k highest scores' indices, highest first, lower index first among equal scores
/// (shaders/detection/sort.comp): a bitonic sort of (score, index) pairs padded to a power of two,
/// then the first k. With many candidates (more than <see cref="RadixThreshold"/> and at least 4k)
/// a radix select (shaders/detection/select.comp) first finds the k-th key in 8 histogram passes and
/// compacts exactly the k best, so only they are sorted: about 10 passes over the candidates instead
/// of log2(n)^2 / 2. Candidates are all of <c>scores</c>, or the indices in <c>candidates</c> (a
/// <see cref="ScoreFilter"/> output) up to <c>count</c>. Writes k = output length indices (-1 past
/// the count) and min(k, candidates) to <c>outputCount</c>. Scratch: <see cref="ScratchBytes"/>.
/// </summary>
public sealed class TopK : IOp
{
    /// <summary>Candidate lists longer than this take the radix-select path.</summary>
    public const int RadixThreshold = 16384;

    private const int LocalSize = 64;

    private readonly Device _device;
    private readonly BitonicSort _sort;
    private readonly int _k;
    private readonly Tensor[]? _select;
    private readonly Pipeline[] _selectPhases = [];
    private readonly int _n;

    /// <remarks>
    /// <c>scores</c>: (N) or any contiguous float32 tensor, indexed flat.<br/>
    /// <c>output</c>: (k) int32 indices into <paramref name="scores"/>.<br/>
    /// <c>outputCount</c>: (1) uint32.<br/>
    /// <c>scratch</c>: At least <see cref="ScratchBytes"/>(candidates) bytes of working memory.<br/>
    /// <c>candidates</c>: Optional (n) int32 candidate indices.<br/>
    /// <c>count</c>: Optional (1) uint32: valid candidates (or valid leading scores without candidates).<br/>
    /// </remarks>
    public TopK(Device device, Tensor scores, Tensor output, Tensor outputCount, Tensor scratch, Tensor? candidates = null, Tensor? count = null,
        string name = "top_k")
    {
        _device = device;
        Name = name;
        DetectionTensors.RequireVector(name, "scores", scores, DataType.Float32);
        _k = DetectionTensors.RequireVector(name, "output", output, DataType.Int32);
        DetectionTensors.RequireCount(name, "outputCount", outputCount);
        DetectionTensors.RequireCount(name, "count", count);
        var n = candidates is null ? checked((int)scores.ElementCount) : DetectionTensors.RequireVector(name, "candidates", candidates, DataType.Int32);
        if (_k == 0 || _k > n)
            throw new EngineException($"{name}: k = {_k} (output {output.Shape}) must be between 1 and the {n} candidates.");
        _n = n;
        var cursor = new ScratchCursor(name, scratch, device.BindingAlignment);
        if (n > RadixThreshold && 4L * _k <= n)
        {
            var hist = cursor.Take("histogram", new Shape(256), DataType.UInt32);
            var state = cursor.Take("select state", new Shape(5), DataType.UInt32);
            var selected = cursor.Take("selected", new Shape(_k), DataType.Int32);
            var selectedCount = cursor.Take("selected count", new Shape(1), DataType.UInt32);
            _select = [scores, candidates ?? selected, count ?? selectedCount, hist, state, selected, selectedCount];
            var hasCandidates = SpecConstant.Bool(1, candidates is not null);
            var hasCount = SpecConstant.Bool(2, count is not null);
            _selectPhases = [.. Enumerable.Range(0, 4).Select(phase => device.Pipeline("detection/select", SpecConstant.UInt(0, (uint)phase), hasCandidates, hasCount))];
            var keys = cursor.Take("keys", new Shape(BitonicSort.Padded(_k) * 2), DataType.UInt32);
            var arguments = cursor.Take("sort arguments", new Shape(BitonicSort.ArgumentCount(_k)), DataType.UInt32);
            _sort = new BitonicSort(device, scores, selected, selectedCount, keys, output, outputCount, arguments);
        }
        else
        {
            var keys = cursor.Take("keys", new Shape(BitonicSort.Padded(n) * 2), DataType.UInt32);
            var arguments = cursor.Take("sort arguments", new Shape(BitonicSort.ArgumentCount(n)), DataType.UInt32);
            _sort = new BitonicSort(device, scores, candidates, count, keys, output, outputCount, arguments);
        }
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>
    /// Working memory for <paramref name="candidates"/> candidates (either path, any k): 8 bytes per
    /// padded key, 4 per candidate and the sort's dispatch arguments.
    /// </summary>
    public static long ScratchBytes(int candidates) => BitonicSort.KeyBytes(candidates) + 4L * candidates + 4L * BitonicSort.ArgumentCount(candidates) + 4096;

    public void Record(CommandList list)
    {
        if (_select is not null)
        {
            var one = new Groups(1);
            var all = StridedCopy.FlatGrid(_device, Groups.Cover(_n, LocalSize));
            list.Dispatch(_selectPhases[3], one, new SelectPush((uint)_n, (uint)_k, 0), _select);
            for (uint pass = 0; pass < 8; pass++)
            {
                list.Dispatch(_selectPhases[0], all, new SelectPush((uint)_n, (uint)_k, pass), _select);
                list.Dispatch(_selectPhases[1], one, new SelectPush((uint)_n, (uint)_k, pass), _select);
            }
            list.Dispatch(_selectPhases[2], all, new SelectPush((uint)_n, (uint)_k, 0), _select);
        }
        _sort.Record(list);
        _sort.RecordEmit(list, _k);
    }

    private readonly record struct SelectPush(uint N, uint K, uint Pass);
}
