using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Batched matrix product C[b] = alpha * A[b] * B[b], or A[b] * B[b]^T with <c>transposeB</c>
/// (shaders/ops/matmul.comp): A (batch, M, K), B (batch, K, N) or (batch, N, K), C (batch, M, N),
/// contiguous, K and N multiples of 4. Rank-2 tensors are a batch of one. For one matrix with a
/// fused epilogue use <see cref="Gemm"/>. A C larger than one storage-buffer binding is computed in
/// chunks bound at aligned offsets: whole matrices of the batch while one matrix fits a binding, else
/// row chunks of each matrix (<see cref="RowChunks"/>).
/// </summary>
public sealed class MatMul : IOp
{
    private const int LocalSize = 8;

    // Every Vulkan device allows at least this many workgroups per dimension.
    private const int MaxGroups = 65535;

    private readonly Pipeline _pipeline;
    private readonly List<(Tensor A, Tensor B, Tensor C, Push Push, Groups Groups)> _chunks = [];

    public MatMul(Device device, Tensor a, Tensor b, Tensor c, bool transposeB = false, float alpha = 1, int tileM = 8, int tileN4 = 2, string name = "matmul")
    {
        Name = name;
        var (sa, sb, sc) = (Batched(a), Batched(b), Batched(c));
        var (batch, m, k) = (sa[0], sa[1], sa[2]);
        var n = transposeB ? sb[1] : sb[2];
        var bk = transposeB ? sb[2] : sb[1];
        if (a.Shape.Rank is < 2 or > 3 || b.Shape.Rank != a.Shape.Rank || c.Shape.Rank != a.Shape.Rank
            || sb[0] != batch || bk != k || sc[0] != batch || sc[1] != m || sc[2] != n)
            throw new EngineException($"{name}: A {a.Shape} x B {b.Shape}{(transposeB ? "^T" : "")} does not give C {c.Shape}.");
        if (k % 4 != 0 || n % 4 != 0)
            throw new EngineException($"{name}: K = {k} and N = {n} must be multiples of 4 (rows are read as vec4).");
        if (!a.IsContiguous || !b.IsContiguous || !c.IsContiguous)
            throw new EngineException($"{name}: A, B and C must be contiguous.");
        _pipeline = device.Pipeline("ops/matmul", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4),
            SpecConstant.Bool(3, transposeB));
        Flops = 2.0 * batch * m * n * k;
        if (batch == 0 || m == 0 || n == 0)
            return;

        // Each matrix as rows of one 2D view: A (batch * M, K), B (batch * bRows, bCols), C (batch * M, N).
        var (bRows, bCols) = (sb[1], sb[2]);
        var (a2, b2, c2) = (a.Reshape(new Shape(batch * m, k)), b.Reshape(new Shape(batch * bRows, bCols)), c.Reshape(new Shape(batch * m, n)));
        var limits = device.Limits;
        var maxBytes = limits.maxStorageBufferRange;
        var alignment = device.BindingAlignment;
        var columnGroups = Groups.Cover(Groups.Cover(n / 4, tileN4), LocalSize);
        var (aBytes, bBytes, cBytes) = (4L * m * k, 4L * bRows * bCols, 4L * m * n);
        if (cBytes <= (long)maxBytes)
        {
            foreach (var (b0, nb) in RowChunks.Split(batch, MaxGroups, maxBytes, alignment, cBytes, aBytes, bBytes))
            {
                var count = (int)nb;
                _chunks.Add((RowChunks.View(a2, b0 * m, count * m, k).Reshape(new Shape(count, m, k)),
                    RowChunks.View(b2, b0 * bRows, count * bRows, bCols).Reshape(new Shape(count, bRows, bCols)),
                    RowChunks.View(c2, b0 * m, count * m, n).Reshape(new Shape(count, m, n)),
                    new Push((uint)m, (uint)n, (uint)k, alpha), new Groups(columnGroups, Groups.Cover(m, tileM), (uint)count)));
            }
            return;
        }
        if (batch > 1 && (aBytes % (long)alignment != 0 || bBytes % (long)alignment != 0 || cBytes % (long)alignment != 0))
            throw new EngineException($"{name}: C {c.Shape} needs row chunks, but its matrices do not start at the device's {alignment}-byte binding alignment.");
        for (var i = 0; i < batch; i++)
        {
            var bi = RowChunks.View(b2, (long)i * bRows, bRows, bCols);
            foreach (var (r0, nr) in RowChunks.Split(m, (long)MaxGroups * tileM, maxBytes, alignment, 4L * n, 4L * k))
            {
                _chunks.Add((RowChunks.View(a2, (long)i * m + r0, nr, k), bi, RowChunks.View(c2, (long)i * m + r0, nr, n),
                    new Push((uint)nr, (uint)n, (uint)k, alpha), new Groups(columnGroups, Groups.Cover(nr, tileM))));
            }
        }
    }

    public string Name { get; }

    public double Flops { get; }

    /// <summary>Dispatches the op records: one unless C is larger than one storage-buffer binding.</summary>
    public int Chunks => _chunks.Count;

    public void Record(CommandList list)
    {
        foreach (var (a, b, c, push, groups) in _chunks)
            list.Dispatch(_pipeline, groups, push, a, b, c);
    }

    private static int[] Batched(Tensor t) => t.Shape.Rank == 2 ? [1, t.Shape[0], t.Shape[1]] : t.Shape.Dims.ToArray();

    private readonly record struct Push(uint M, uint N, uint K, float Alpha);
}
