using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Splits a matrix of rows into consecutive chunks that each fit one storage-buffer binding, with
/// every chunk starting at a byte offset the device can bind (its offset alignment).
/// </summary>
public static class RowChunks
{
    /// <summary>
    /// Chunks of at most <paramref name="maxBytes"/> bytes of rows of <paramref name="rowBytes"/>; every
    /// boundary is a multiple of <paramref name="alignment"/> bytes for each entry of
    /// <paramref name="rowBytes"/> (the output and any other matrix viewed in the same rows).
    /// </summary>
    public static IReadOnlyList<(long Start, long Count)> Split(long rows, ulong maxBytes, ulong alignment, params ReadOnlySpan<long> rowBytes) =>
        Split(rows, long.MaxValue, maxBytes, alignment, rowBytes);

    /// <summary>As <see cref="Split(long, ulong, ulong, ReadOnlySpan{long})"/>, with at most <paramref name="maxRows"/> rows per chunk (a dispatch-grid limit).</summary>
    public static IReadOnlyList<(long Start, long Count)> Split(long rows, long maxRows, ulong maxBytes, ulong alignment, params ReadOnlySpan<long> rowBytes)
    {
        long step = 1;
        long widest = 1;
        foreach (var bytes in rowBytes)
        {
            // Rows per chunk must be a multiple of alignment / gcd(alignment, bytes) for this matrix.
            var quantum = (long)alignment / Gcd((long)alignment, bytes);
            step = step / Gcd(step, quantum) * quantum;
            widest = Math.Max(widest, bytes);
        }
        var perChunk = Math.Min((long)(maxBytes / (ulong)widest), maxRows) / step * step;
        if (perChunk <= 0)
            throw new EngineException($"A row of {widest} bytes in steps of {step} rows does not fit a {maxBytes}-byte binding.");
        var chunks = new List<(long, long)>();
        for (long start = 0; start < rows; start += perChunk)
            chunks.Add((start, Math.Min(perChunk, rows - start)));
        return chunks;
    }

    /// <summary>Rows [start, start + count) of a contiguous matrix viewed as a (count, cols) tensor.</summary>
    public static Tensor View(Tensor matrix, long start, long count, int cols)
    {
        var rowBytes = (ulong)cols * (ulong)matrix.Type.Size();
        return new Tensor(matrix.Buffer, matrix.ByteOffset + (ulong)start * rowBytes, new Shape(checked((int)count), cols), matrix.Type,
            $"{matrix.Name}[{start}:{start + count}]");
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
