using System.Numerics;
using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The sort under <see cref="TopK"/> (and so <see cref="Nms"/>) (shaders/detection/sort.comp): (score,
/// index) keys of the candidates, padded to a power of two P, sorted by a bitonic network of
/// log2(P) (log2(P) + 1) / 2 compare-exchange dispatches, score descending with the lower index first
/// on ties. Keys live in the caller's scratch.
/// </summary>
internal sealed class BitonicSort
{
    private const int LocalSize = 64;

    private readonly Pipeline _fill;
    private readonly Pipeline _step;
    private readonly Pipeline _emit;
    private readonly Tensor[] _bindings;
    private readonly int _n;

    /// <remarks>
    /// <c>candidates</c>: Optional (n) int32 indices into <paramref name="scores"/>; else the candidates are 0..n-1.<br/>
    /// <c>out</c>: Bound as the sort shader's output slots (written only by the top-k emit phase).<br/>
    /// </remarks>
    public BitonicSort(Device device, Tensor scores, Tensor? candidates, Tensor? count, Tensor keys, Tensor @out, Tensor outCount)
    {
        _n = checked((int)(candidates ?? scores).ElementCount);
        Size = Padded(_n);
        if (keys.ElementCount < Size || keys.Type != DataType.UInt32)
            throw new EngineException($"sort: keys {keys} must hold {Size} uvec2 keys as uint32 pairs.");
        Keys = keys;
        _bindings = [scores, candidates ?? @out, count ?? outCount, keys, @out, outCount];
        var hasCandidates = SpecConstant.Bool(1, candidates is not null);
        var hasCount = SpecConstant.Bool(2, count is not null);
        _fill = device.Pipeline("detection/sort", SpecConstant.UInt(0, 0), hasCandidates, hasCount);
        _step = device.Pipeline("detection/sort", SpecConstant.UInt(0, 1), hasCandidates, hasCount);
        _emit = device.Pipeline("detection/sort", SpecConstant.UInt(0, 2), hasCandidates, hasCount);
    }

    /// <summary>P: the candidate count rounded up to a power of two (at least 2).</summary>
    public int Size { get; }

    public Tensor Keys { get; }


    public static int Padded(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 2));

    /// <summary>Bytes of keys for <paramref name="n"/> candidates.</summary>
    public static long KeyBytes(int n) => Padded(n) * 8L;

    private Push MakePush(uint k = 0, uint j = 0, uint outK = 0) => new((uint)_n, (uint)Size, outK, k, j);

    public void Record(CommandList list)
    {
        list.Dispatch(_fill, StridedCopy.FlatGrid(Groups.Cover(Size, LocalSize)), MakePush(), _bindings);
        var pairs = StridedCopy.FlatGrid(Groups.Cover(Size / 2, LocalSize));
        for (uint k = 2; k <= Size; k <<= 1)
        {
            for (var j = k >> 1; j > 0; j >>= 1)
                list.Dispatch(_step, pairs, MakePush(k, j), _bindings);
        }
    }

    /// <summary>Writes the first <paramref name="k"/> sorted indices and min(k, count) to the output slots (for <see cref="TopK"/>).</summary>
    public void RecordEmit(CommandList list, int k) =>
        list.Dispatch(_emit, StridedCopy.FlatGrid(Groups.Cover(k, LocalSize)), MakePush(outK: (uint)k), _bindings);

    private readonly record struct Push(uint N, uint P, uint K, uint Stage, uint Step);
}
