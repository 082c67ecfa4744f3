using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Batched matrix product C[b] = alpha * A[b] * B[b], or A[b] * B[b]^T with <c>transposeB</c>
/// (shaders/ops/matmul.comp): A (batch, M, K), B (batch, K, N) or (batch, N, K), C (batch, M, N),
/// contiguous, K and N multiples of 4. Rank-2 tensors are a batch of one. For one matrix with a
/// fused epilogue use <see cref="Gemm"/>.
/// </summary>
public sealed class MatMul : IOp
{
    private const int LocalSize = 8;

    private readonly Pipeline _pipeline;
    private readonly Tensor _a;
    private readonly Tensor _b;
    private readonly Tensor _c;
    private readonly Push _push;
    private readonly Groups _groups;

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
        (_a, _b, _c) = (a, b, c);
        _push = new Push((uint)m, (uint)n, (uint)k, alpha);
        _groups = new Groups(Groups.Cover(Groups.Cover(n / 4, tileN4), LocalSize), Groups.Cover(m, tileM), (uint)batch);
        _pipeline = device.Pipeline("ops/matmul", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4),
            SpecConstant.Bool(3, transposeB));
        Flops = 2.0 * batch * m * n * k;
    }

    public string Name { get; }

    public double Flops { get; }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _a, _b, _c);

    private static int[] Batched(Tensor t) => t.Shape.Rank == 2 ? [1, t.Shape[0], t.Shape[1]] : t.Shape.Dims.ToArray();

    private readonly record struct Push(uint M, uint N, uint K, float Alpha);
}
