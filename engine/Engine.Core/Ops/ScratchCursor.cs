using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Carves an op's parts (intermediate matrices, counters, dispatch arguments) out of the one scratch
/// tensor its graph node is given: consecutive typed views,
/// each at an offset that is a multiple of the binding alignment, so every part can be bound on its
/// own. <see cref="Bytes"/> sizes a scratch with the same rule, so what a node asks for is what its op carves.
/// </summary>
public sealed class ScratchCursor(string op, Tensor scratch, ulong alignment)
{
    private ulong _used;

    /// <summary>The next part: <paramref name="shape"/> elements of <paramref name="type"/>, named "{op} {role}".</summary>
    public Tensor Take(string role, Shape shape, DataType type = DataType.Float32)
    {
        var bytes = (ulong)(shape.ElementCount * type.Size());
        var start = Align(_used, alignment);
        if (start + bytes > scratch.ByteExtent)
            throw new EngineException($"{op}: scratch {scratch} of {scratch.ByteExtent} bytes is too small (needs at least {start + bytes}).");
        if ((scratch.ByteOffset + start) % alignment != 0)
            throw new EngineException($"{op}: scratch {scratch} starts at byte {scratch.ByteOffset}, not a multiple of the {alignment}-byte binding alignment.");
        _used = start + bytes;
        return new Tensor(scratch.Buffer, scratch.ByteOffset + start, shape, type, $"{op} {role}");
    }

    /// <summary>Bytes of a scratch holding parts of <paramref name="partBytes"/> bytes in this order.</summary>
    public static long Bytes(ulong alignment, params IEnumerable<long> partBytes)
    {
        ulong total = 0;
        foreach (var bytes in partBytes)
            total = Align(total, alignment) + (ulong)bytes;
        return (long)total;
    }

    private static ulong Align(ulong bytes, ulong alignment) => (bytes + alignment - 1) / alignment * alignment;
}
