using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// C[M,N] = act(A[M,K] * B[K,N] + bias[N] + residual[M,N]) in fp32 (shaders/gemm.comp). K and N must
/// be multiples of 4 (rows are read as vec4 texels); M is free. Bias, residual and ReLU are optional
/// and fused, so a 1x1 convolution with folded BN, its shortcut and its ReLU is one dispatch. The
/// register tile is a specialization constant; a workgroup's lanes split between column and row tiles
/// as <see cref="ConvDefaults.LaneColumns"/> says.
/// </summary>
public sealed class Gemm : IOp
{
    private const int LocalSize = ConvDefaults.LocalSize;

    private readonly Pipeline _pipeline;
    private readonly Tensor _a;
    private readonly Tensor _b;
    private readonly Tensor _c;
    private readonly Tensor _bias;
    private readonly Tensor _residual;
    private readonly int _tileM;
    private readonly int _tileN4;
    private readonly int _lanes;

    public Gemm(Device device, Tensor a, Tensor b, Tensor c, Tensor? bias = null, Tensor? residual = null, bool relu = false,
        int tileM = 8, int tileN4 = 2, string name = "gemm")
    {
        Name = name;
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2 || c.Shape.Rank != 2)
            throw new EngineException($"{name}: A {a.Shape}, B {b.Shape} and C {c.Shape} must be matrices.");
        (M, K, N) = (a.Shape[0], a.Shape[1], b.Shape[1]);
        if (b.Shape[0] != K || c.Shape[0] != M || c.Shape[1] != N)
            throw new EngineException($"{name}: A {a.Shape} x B {b.Shape} does not give C {c.Shape}.");
        if (K % 4 != 0 || N % 4 != 0)
            throw new EngineException($"{name}: K = {K} and N = {N} must be multiples of 4 (rows are read as vec4).");
        if (bias is not null && bias.ElementCount != N)
            throw new EngineException($"{name}: bias {bias.Shape} must have N = {N} elements.");
        if (residual is not null && residual.Shape != c.Shape)
            throw new EngineException($"{name}: residual {residual.Shape} must match C {c.Shape}.");
        if (!a.IsContiguous || !b.IsContiguous || !c.IsContiguous || residual is { IsContiguous: false })
            throw new EngineException($"{name}: A, B, C and the residual must be contiguous.");
        if (tileM <= 0 || tileN4 <= 0)
            throw new EngineException($"{name}: tiles must be positive ({tileM}x{tileN4}).");
        (_a, _b, _c, _tileM, _tileN4) = (a, b, c, tileM, tileN4);
        _lanes = ConvDefaults.LaneColumns(Groups.Cover(N / 4, tileN4));
        // Absent optional inputs are bound to A: the shader never reads them.
        _bias = bias ?? a;
        _residual = residual ?? a;
        _pipeline = device.Pipeline("gemm",
            SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4),
            SpecConstant.Bool(3, bias is not null), SpecConstant.Bool(4, residual is not null), SpecConstant.Bool(5, relu),
            SpecConstant.Int(6, _lanes));
    }

    public string Name { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public double Flops => 2.0 * M * N * K;

    public void Record(CommandList list)
    {
        var columnTiles = Groups.Cover(N / 4, _tileN4);
        var groups = new Groups(Groups.Cover(columnTiles, _lanes), Groups.Cover(Groups.Cover(M, _tileM), LocalSize / _lanes));
        list.Dispatch(_pipeline, groups, new Push((uint)M, (uint)N, (uint)K), _a, _b, _c, _bias, _residual);
    }

    private readonly record struct Push(uint M, uint N, uint K);
}
