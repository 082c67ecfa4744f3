using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The k highest scores' indices, highest first, lower index first among equal scores
/// (shaders/detection/sort.comp): a bitonic sort of (score, index) pairs padded to a power of two,
/// then the first k. Candidates are all of <c>scores</c>, or the indices in <c>candidates</c> (a
/// <see cref="ScoreFilter"/> output) up to <c>count</c>. Writes k = output length indices (-1 past
/// the count) and min(k, candidates) to <c>outputCount</c>. Scratch: <see cref="ScratchBytes"/>.
/// </summary>
public sealed class TopK : IOp
{
    private readonly BitonicSort _sort;
    private readonly int _k;

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
        Name = name;
        DetectionTensors.RequireVector(name, "scores", scores, DataType.Float32);
        _k = DetectionTensors.RequireVector(name, "output", output, DataType.Int32);
        DetectionTensors.RequireCount(name, "outputCount", outputCount);
        DetectionTensors.RequireCount(name, "count", count);
        var n = candidates is null ? checked((int)scores.ElementCount) : DetectionTensors.RequireVector(name, "candidates", candidates, DataType.Int32);
        if (_k == 0 || _k > n)
            throw new EngineException($"{name}: k = {_k} (output {output.Shape}) must be between 1 and the {n} candidates.");
        var keys = new DetectionTensors.ScratchCursor(name, scratch, DetectionTensors.Alignment(device))
            .Take("keys", new Shape(BitonicSort.Padded(n) * 2), DataType.UInt32);
        _sort = new BitonicSort(device, scores, candidates, count, keys, output, outputCount);
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>Working memory for <paramref name="candidates"/> candidates: 8 bytes per padded key.</summary>
    public static long ScratchBytes(int candidates) => BitonicSort.KeyBytes(candidates);

    public void Record(CommandList list)
    {
        _sort.Record(list);
        _sort.RecordEmit(list, _k);
    }
}
