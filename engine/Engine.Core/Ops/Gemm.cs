using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// C[M,N] = A[M,K] * B[K,N] in fp32 (shaders/gemm.comp). K and N must be multiples of 4 (rows are
/// read as vec4 texels); M is free. The register tile is a specialization constant.
/// </summary>
public sealed class Gemm
{
    private readonly Pipeline _pipeline;
    private readonly Tensor _a;
    private readonly Tensor _b;
    private readonly Tensor _c;
    private readonly int _tileM;
    private readonly int _tileN4;
    private const int LocalSize = 8;

    public Gemm(Device device, Tensor a, Tensor b, Tensor c, int tileM = 8, int tileN4 = 2)
    {
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2 || c.Shape.Rank != 2)
            throw new EngineException($"Gemm: A {a.Shape}, B {b.Shape} and C {c.Shape} must be matrices.");
        (M, K, N) = (a.Shape[0], a.Shape[1], b.Shape[1]);
        if (b.Shape[0] != K || c.Shape[0] != M || c.Shape[1] != N)
            throw new EngineException($"Gemm: A {a.Shape} x B {b.Shape} does not give C {c.Shape}.");
        if (K % 4 != 0 || N % 4 != 0)
            throw new EngineException($"Gemm: K = {K} and N = {N} must be multiples of 4 (rows are read as vec4).");
        if (!a.IsContiguous || !b.IsContiguous || !c.IsContiguous)
            throw new EngineException("Gemm: A, B and C must be contiguous.");
        (_a, _b, _c, _tileM, _tileN4) = (a, b, c, tileM, tileN4);
        _pipeline = device.Pipeline("gemm", SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4));
    }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public double Flops => 2.0 * M * N * K;

    public void Record(CommandList list)
    {
        var columnTiles = Groups.Cover(N / 4, _tileN4);
        var groups = new Groups(Groups.Cover(columnTiles, LocalSize), Groups.Cover(M, _tileM));
        list.Dispatch(_pipeline, groups, new Push((uint)M, (uint)N, (uint)K), _a, _b, _c);
    }

    private readonly record struct Push(uint M, uint N, uint K);
}
