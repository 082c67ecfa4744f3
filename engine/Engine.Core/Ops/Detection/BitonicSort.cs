using System.Numerics;
using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// The sort under <see cref="TopK"/> (and so <see cref="Nms"/>) (shaders/detection/sort.comp): (score,
/// index) keys of the candidates, padded to a power of two P, sorted by a bitonic network, score
/// descending with the lower index first on ties: the steps of j &lt; E (blocks of E keys, as many as
/// fit the device's workgroup memory, at most <see cref="MaxBlockKeys"/>) run in workgroup memory, one
/// dispatch for all k &lt;= E and one per larger k, the others (j &gt;= E) one compare-exchange dispatch
/// each: 1 + sum over k = 2E..P of (log2(k / E) + 1) dispatches instead of log2(P) (log2(P) + 1) / 2
/// (28 instead of 153 for P = 2^17). Keys live in the caller's scratch. With a valid count on the GPU (<c>count</c>), one
/// invocation first plans every dispatch as an indirect one sized by that count rounded up to a power
/// of two, V: the fill covers V keys, the stages of k &lt;= V V / 2 pairs and the others none, so a
/// sort sized for many slots costs what sorting V keys costs plus empty dispatches.
/// </summary>
internal sealed class BitonicSort
{
    /// <summary>Most keys one workgroup sorts in its memory (16 KiB, the least every device has).</summary>
    public const int MaxBlockKeys = 2048;

    private const int LocalSize = 64;
    private const int MaxBlockLanes = 256;

    private readonly Device _device;
    private readonly Pipeline _fill;
    private readonly Pipeline _step;
    private readonly Pipeline _emit;
    private readonly Pipeline _local;
    private readonly Pipeline? _plan;
    private readonly Tensor[] _bindings;
    private readonly Tensor[] _arguments = [];
    private readonly int _n;
    private readonly int _block;

    /// <remarks>
    /// <c>candidates</c>: Optional (n) int32 indices into <paramref name="scores"/>; else the candidates are 0..n-1.<br/>
    /// <c>out</c>: Bound as the sort shader's output slots (written only by the top-k emit phase).<br/>
    /// <c>arguments</c>: With <paramref name="count"/>, at least <see cref="ArgumentCount"/>(n) uint32 for the indirect dispatches.<br/>
    /// </remarks>
    public BitonicSort(Device device, Tensor scores, Tensor? candidates, Tensor? count, Tensor keys, Tensor @out, Tensor outCount, Tensor? arguments = null)
    {
        _device = device;
        _n = checked((int)(candidates ?? scores).ElementCount);
        Size = Padded(_n);
        if (keys.ElementCount < Size || keys.Type != DataType.UInt32)
            throw new EngineException($"sort: keys {keys} must hold {Size} uvec2 keys as uint32 pairs.");
        var indirect = count is not null && arguments is not null;
        var blockKeys = BlockKeys(device);
        _block = Math.Min(blockKeys, Size);
        if (indirect && (arguments!.ElementCount < ArgumentCount(_n) || arguments.Type != DataType.UInt32))
            throw new EngineException($"sort: arguments {arguments} must hold {ArgumentCount(_n)} uint32.");
        Keys = keys;
        _bindings = [scores, candidates ?? @out, count ?? outCount, keys, @out, outCount, indirect ? arguments! : keys];
        var hasCandidates = SpecConstant.Bool(1, candidates is not null);
        var hasCount = SpecConstant.Bool(2, count is not null);
        var block = SpecConstant.UInt(4, (uint)blockKeys);
        Pipeline Phase(uint phase, uint lanes = LocalSize) =>
            device.Pipeline("detection/sort", SpecConstant.UInt(0, phase), hasCandidates, hasCount, SpecConstant.UInt(3, lanes), block);
        _fill = Phase(0);
        _step = Phase(1);
        _emit = Phase(2);
        var lanes = Math.Min(Math.Min(MaxBlockLanes, _block / 2), (int)device.MaxGroupLanes);
        _local = Phase(4, (uint)Math.Max(1, lanes));
        if (indirect)
        {
            _plan = Phase(3);
            _arguments = [.. Enumerable.Range(0, Dispatches(Size, _block) + 1).Select(s =>
                new Tensor(arguments!.Buffer, arguments.ByteOffset + (ulong)s * 12, new Shape(3), DataType.UInt32, $"{arguments.Name} [{s}]"))];
        }
    }

    /// <summary>P: the candidate count rounded up to a power of two (at least 2).</summary>
    public int Size { get; }

    public Tensor Keys { get; }

    public static int Padded(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(n, 2));

    /// <summary>Bytes of keys for <paramref name="n"/> candidates.</summary>
    public static long KeyBytes(int n) => Padded(n) * 8L;

    /// <summary>
    /// uint32 of indirect arguments for <paramref name="n"/> candidates: the fill's and every sort
    /// dispatch's (x, y, z), for any block size (the most dispatches: blocks of 2 keys).
    /// </summary>
    public static int ArgumentCount(int n) => 3 * (Dispatches(Padded(n), 2) + 1);

    /// <summary>Keys per workgroup-memory block: the largest power of two of 8-byte keys the device's workgroup memory holds, at most <see cref="MaxBlockKeys"/>.</summary>
    private static int BlockKeys(Device device) =>
        (int)Math.Max(2, Math.Min(MaxBlockKeys, BitOperations.RoundUpToPowerOf2(device.Limits.maxComputeSharedMemorySize / 8 + 1) / 2));

    /// <summary>Sort dispatches for P = <paramref name="size"/> keys in blocks of <paramref name="block"/>: one local, then per k &gt; block log2(k / block) global and one local.</summary>
    private static int Dispatches(int size, int block)
    {
        var count = 1;
        for (var k = 2L * block; k <= size; k <<= 1)
            count += BitOperations.Log2((uint)(k / block)) + 1;
        return count;
    }

    private Push MakePush(uint k = 0, uint j = 0, uint outK = 0) => new((uint)_n, (uint)Size, outK, k, j);

    public void Record(CommandList list)
    {
        var pairs = StridedCopy.FlatGrid(_device, Groups.Cover(Size / 2, LocalSize));
        if (_plan is not null)
        {
            list.Dispatch(_plan, new Groups(1), MakePush(), _bindings);
            list.DispatchIndirect(_fill, _arguments[0], MakePush(), _bindings);
        }
        else
        {
            list.Dispatch(_fill, StridedCopy.FlatGrid(_device, Groups.Cover(Size, LocalSize)), MakePush(), _bindings);
        }
        var blocks = StridedCopy.FlatGrid(_device, (uint)(Size / _block));
        var stage = 1;
        void Local(uint first, uint last)
        {
            if (_plan is not null)
                list.DispatchIndirect(_local, _arguments[stage++], MakePush(first, last), _bindings);
            else
                list.Dispatch(_local, blocks, MakePush(first, last), _bindings);
        }
        Local(2, (uint)_block);
        for (var k = 2u * (uint)_block; k <= Size; k <<= 1)
        {
            for (var j = k >> 1; j >= _block; j >>= 1)
            {
                if (_plan is not null)
                    list.DispatchIndirect(_step, _arguments[stage++], MakePush(k, j), _bindings);
                else
                    list.Dispatch(_step, pairs, MakePush(k, j), _bindings);
            }
            Local(k, k);
        }
    }

    /// <summary>Writes the first <paramref name="k"/> sorted indices and min(k, count) to the output slots (for <see cref="TopK"/>).</summary>
    public void RecordEmit(CommandList list, int k) =>
        list.Dispatch(_emit, StridedCopy.FlatGrid(_device, Groups.Cover(k, LocalSize)), MakePush(outK: (uint)k), _bindings);

    private readonly record struct Push(uint N, uint P, uint K, uint Stage, uint Step);
}
