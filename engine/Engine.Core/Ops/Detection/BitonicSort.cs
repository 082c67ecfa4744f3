using System.Numerics;
using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The sort under <see cref="TopK"/> (and so <see cref="Nms"/>) (shaders/detection/sort.comp): (score,
/// index) keys of the candidates, padded to a power of two P, sorted by a bitonic network of
/// log2(P) (log2(P) + 1) / 2 compare-exchange dispatches, score descending with the lower index first
/// on ties. Keys live in the caller's scratch. With a valid count on the GPU (<c>count</c>), one
/// invocation first plans every dispatch as an indirect one sized by that count rounded up to a power
/// of two, V: the fill covers V keys, the stages of k &lt;= V V / 2 pairs and the others none, so a
/// sort sized for many slots costs what sorting V keys costs plus empty dispatches.
/// </summary>
internal sealed class BitonicSort
{
    private const int LocalSize = 64;

    private readonly Pipeline _fill;
    private readonly Pipeline _step;
    private readonly Pipeline _emit;
    private readonly Pipeline? _plan;
    private readonly Tensor[] _bindings;
    private readonly Tensor[] _arguments = [];
    private readonly int _n;

    /// <remarks>
    /// <c>candidates</c>: Optional (n) int32 indices into <paramref name="scores"/>; else the candidates are 0..n-1.<br/>
    /// <c>out</c>: Bound as the sort shader's output slots (written only by the top-k emit phase).<br/>
    /// <c>arguments</c>: With <paramref name="count"/>, at least <see cref="ArgumentCount"/>(n) uint32 for the indirect dispatches.<br/>
    /// </remarks>
    public BitonicSort(Device device, Tensor scores, Tensor? candidates, Tensor? count, Tensor keys, Tensor @out, Tensor outCount, Tensor? arguments = null)
    {
        _n = checked((int)(candidates ?? scores).ElementCount);
        Size = Padded(_n);
        if (keys.ElementCount < Size || keys.Type != DataType.UInt32)
            throw new EngineException($"sort: keys {keys} must hold {Size} uvec2 keys as uint32 pairs.");
        var indirect = count is not null && arguments is not null;
        if (indirect && (arguments!.ElementCount < ArgumentCount(_n) || arguments.Type != DataType.UInt32))
            throw new EngineException($"sort: arguments {arguments} must hold {ArgumentCount(_n)} uint32.");
        Keys = keys;
        _bindings = [scores, candidates ?? @out, count ?? outCount, keys, @out, outCount, indirect ? arguments! : keys];
        var hasCandidates = SpecConstant.Bool(1, candidates is not null);
        var hasCount = SpecConstant.Bool(2, count is not null);
        _fill = device.Pipeline("detection/sort", SpecConstant.UInt(0, 0), hasCandidates, hasCount);
        _step = device.Pipeline("detection/sort", SpecConstant.UInt(0, 1), hasCandidates, hasCount);
        _emit = device.Pipeline("detection/sort", SpecConstant.UInt(0, 2), hasCandidates, hasCount);
        if (indirect)
        {
            _plan = device.Pipeline("detection/sort", SpecConstant.UInt(0, 3), hasCandidates, hasCount);
            _arguments = [.. Enumerable.Range(0, Stages(Size) + 1).Select(s =>
                new Tensor(arguments!.Buffer, arguments.ByteOffset + (ulong)s * 12, new Shape(3), DataType.UInt32, $"{arguments.Name} [{s}]"))];
        }
    }

    /// <summary>P: the candidate count rounded up to a power of two (at least 2).</summary>
    public int Size { get; }

    public Tensor Keys { get; }

    public static int Padded(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 2));

    /// <summary>Bytes of keys for <paramref name="n"/> candidates.</summary>
    public static long KeyBytes(int n) => Padded(n) * 8L;

    /// <summary>uint32 of indirect arguments for <paramref name="n"/> candidates: the fill's and every stage's (x, y, z).</summary>
    public static int ArgumentCount(int n) => 3 * (Stages(Padded(n)) + 1);

    private static int Stages(int size)
    {
        var log = BitOperations.Log2((uint)size);
        return log * (log + 1) / 2;
    }

    private Push MakePush(uint k = 0, uint j = 0, uint outK = 0) => new((uint)_n, (uint)Size, outK, k, j);

    public void Record(CommandList list)
    {
        var pairs = StridedCopy.FlatGrid(Groups.Cover(Size / 2, LocalSize));
        if (_plan is not null)
        {
            list.Dispatch(_plan, new Groups(1), MakePush(), _bindings);
            list.DispatchIndirect(_fill, _arguments[0], MakePush(), _bindings);
        }
        else
        {
            list.Dispatch(_fill, StridedCopy.FlatGrid(Groups.Cover(Size, LocalSize)), MakePush(), _bindings);
        }
        var stage = 1;
        for (uint k = 2; k <= Size; k <<= 1)
        {
            for (var j = k >> 1; j > 0; j >>= 1)
            {
                if (_plan is not null)
                    list.DispatchIndirect(_step, _arguments[stage++], MakePush(k, j), _bindings);
                else
                    list.Dispatch(_step, pairs, MakePush(k, j), _bindings);
            }
        }
    }

    /// <summary>Writes the first <paramref name="k"/> sorted indices and min(k, count) to the output slots (for <see cref="TopK"/>).</summary>
    public void RecordEmit(CommandList list, int k) =>
        list.Dispatch(_emit, StridedCopy.FlatGrid(Groups.Cover(k, LocalSize)), MakePush(outK: (uint)k), _bindings);

    private readonly record struct Push(uint N, uint P, uint K, uint Stage, uint Step);
}
