using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// C[M,N] = act(A[M,K] * B[K,N] + bias[N] + residual[M,N]) in fp32 (shaders/gemm.comp). K and N must
/// be multiples of 4 (rows are read as vec4 texels); M is free. Bias, residual and ReLU are optional
/// and fused, so a 1x1 convolution with folded BN, its shortcut and its ReLU is one dispatch. The
/// register tile is a specialization constant; a workgroup's lanes split between column and row tiles
/// as <see cref="ConvDefaults.LaneColumns"/> says. Batched: rank-3 views (batch, rows, cols) multiply
/// matrix by matrix in one dispatch (z = matrix); each operand's matrices are its contiguous rows
/// spaced by its batch stride (a multiple of 4 floats, e.g. slabs at the binding alignment), and an
/// operand with batch 1 or batch stride 0 is one matrix shared by all (one weight matrix). The bias is
/// shared. Every operand is bound whole, so all its matrices must fit one binding; batches past the
/// device's z workgroup limit take several dispatches.
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
    private readonly Groups _groups;
    private readonly (Push Push, uint Matrices)[] _dispatches;

    /// <summary>
    /// With <see cref="Tiling.Registers"/> <paramref name="tileM"/> x <paramref name="tileN4"/> is one
    /// invocation's register tile; with <see cref="Tiling.SharedMemory"/> it is one workgroup's block
    /// (see <see cref="SharedBlockFits"/>).
    /// </summary>
    public Gemm(Device device, Tensor a, Tensor b, Tensor c, Tensor? bias = null, Tensor? residual = null, bool relu = false,
        int tileM = 8, int tileN4 = 2, string name = "gemm", Tiling tiling = Tiling.Registers)
        : this(device, a, b, c, bias, residual, relu, tileM, tileN4, name, device.MaxGroupsZ, tiling)
    {
    }

    /// <summary>As the public constructor, with the z workgroup limit forced (tests of the split batch).</summary>
    internal Gemm(Device device, Tensor a, Tensor b, Tensor c, Tensor? bias, Tensor? residual, bool relu, int tileM, int tileN4, string name,
        uint maxGroupsZ, Tiling tiling = Tiling.Registers)
    {
        Name = name;
        var rank = c.Shape.Rank;
        if (rank is not (2 or 3) || a.Shape.Rank != rank || b.Shape.Rank != rank)
            throw new EngineException($"{name}: A {a.Shape}, B {b.Shape} and C {c.Shape} must all be matrices or all batches of matrices (batch, rows, cols).");
        (Batch, M, K, N) = (rank == 3 ? c.Shape[0] : 1, a.Shape[-2], a.Shape[-1], b.Shape[-1]);
        if (b.Shape[-2] != K || c.Shape[-2] != M || c.Shape[-1] != N)
            throw new EngineException($"{name}: A {a.Shape} x B {b.Shape} does not give C {c.Shape}.");
        if (rank == 3 && (a.Shape[0] != Batch && a.Shape[0] != 1 || b.Shape[0] != Batch && b.Shape[0] != 1))
            throw new EngineException($"{name}: A {a.Shape} and B {b.Shape} must have C {c.Shape}'s batch of {Batch} matrices, or 1 (shared).");
        if (K % 4 != 0 || N % 4 != 0)
            throw new EngineException($"{name}: K = {K} and N = {N} must be multiples of 4 (rows are read as vec4).");
        if (bias is not null && bias.ElementCount != N)
            throw new EngineException($"{name}: bias {bias.Shape} must have N = {N} elements.");
        if (residual is not null && residual.Shape != c.Shape)
            throw new EngineException($"{name}: residual {residual.Shape} must match C {c.Shape}.");
        if (tileM <= 0 || tileN4 <= 0)
            throw new EngineException($"{name}: tiles must be positive ({tileM}x{tileN4}).");
        var limits = device.Limits;
        var maxTexelBytes = (ulong)limits.maxTexelBufferElements * 16;
        var (strideA, strideB) = (BatchStride(name, "A", a, maxTexelBytes), BatchStride(name, "B", b, maxTexelBytes));
        var strideC = BatchStride(name, "C", c, limits.maxStorageBufferRange);
        var strideR = residual is null ? 0 : BatchStride(name, "residual", residual, maxTexelBytes);
        if (Batch > 1 && strideC < M * N / 4)
            throw new EngineException($"{name}: C {c.Shape} matrices {4 * strideC} floats apart overlap ({M}x{N} floats each).");
        (_a, _b, _c) = (a, b, c);
        // Absent optional inputs are bound to A: the shader never reads them.
        _bias = bias ?? a;
        _residual = residual ?? a;
        if (a.Type != DataType.Float32)
            throw new EngineException($"{name}: A must be float32, not {a}.");
        // B may be fp16 weights (CompileOptions.WeightStorage): the shader's half-precision build reads them.
        if (tiling == Tiling.SharedMemory)
        {
            if (!SharedBlockFits(device, tileM, tileN4))
                throw new EngineException($"{name}: a shared-memory block of {tileM}x{4 * tileN4} does not fit this device's workgroup limits.");
            _pipeline = device.Pipeline(ShaderLibrary.ForWeights("gemm_shared", b),
                SpecConstant.Int(0, tileM / 4 * tileN4), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4),
                SpecConstant.Bool(3, bias is not null), SpecConstant.Bool(4, residual is not null), SpecConstant.Bool(5, relu),
                SpecConstant.Bool(7, Batch > 1));
            Variant = $"gemm-shared m{tileM} n{4 * tileN4}";
            _groups = new Groups(Groups.Cover(N / 4, tileN4), Groups.Cover(M, tileM));
        }
        else
        {
            var lanes = ConvDefaults.LaneColumns(Groups.Cover(N / 4, tileN4));
            _pipeline = device.Pipeline(ShaderLibrary.ForWeights("gemm", b),
                SpecConstant.Int(0, LocalSize), SpecConstant.Int(1, tileM), SpecConstant.Int(2, tileN4),
                SpecConstant.Bool(3, bias is not null), SpecConstant.Bool(4, residual is not null), SpecConstant.Bool(5, relu),
                SpecConstant.Int(6, lanes), SpecConstant.Bool(7, Batch > 1));
            Variant = $"gemm m{tileM} n{4 * tileN4}";
            _groups = new Groups(Groups.Cover(Groups.Cover(N / 4, tileN4), lanes), Groups.Cover(Groups.Cover(M, tileM), LocalSize / lanes));
        }
        _dispatches = [.. BatchChunks(Batch, maxGroupsZ).Select(chunk =>
            (new Push((uint)M, (uint)N, (uint)K, (uint)chunk.First, strideA, strideB, strideC, strideR), (uint)chunk.Count))];
    }

    /// <summary>The shared-memory block a caller without a tuned one uses: 64 rows x 16 vec4 columns (256 invocations).</summary>
    public static (int TileM, int TileN4) DefaultSharedBlock { get; } = (64, 16);

    /// <summary>
    /// Whether <paramref name="device"/> can run shaders/gemm_shared.comp (or shaders/ops/conv_shared.comp,
    /// which stages the same chunk) with a block of <paramref name="blockM"/> rows (a multiple of 4) x
    /// <paramref name="blockN4"/> vec4 columns: one invocation per 4x4 tile of the block, and the staged
    /// chunk (16 values of k of the block's rows and columns) in shared memory.
    /// </summary>
    public static bool SharedBlockFits(Device device, int blockM, int blockN4)
    {
        if (blockM <= 0 || blockM % 4 != 0 || blockN4 <= 0)
            return false;
        var sharedBytes = 16L * 16 * (blockM / 4 + blockN4);
        return (long)blockM / 4 * blockN4 <= device.MaxGroupLanes && sharedBytes <= device.Limits.maxComputeSharedMemorySize;
    }

    /// <summary>Matrices multiplied: 1 for rank-2 operands.</summary>
    public int Batch { get; }

    /// <summary>Dispatches the op records: one unless the batch exceeds the device's z workgroup limit.</summary>
    public int Dispatches => _dispatches.Length;

    public string Name { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public double Flops => 2.0 * Batch * M * N * K;

    /// <summary>`gemm m{rows} n{columns}`: the register tile of one invocation; `gemm-shared m{rows} n{columns}`: the block of one workgroup.</summary>
    public string Variant { get; }

    public void Record(CommandList list)
    {
        foreach (var (push, matrices) in _dispatches)
            list.Dispatch(_pipeline, _groups with { Z = matrices }, push, _a, _b, _c, _bias, _residual);
    }

    /// <summary>Consecutive runs of at most <paramref name="maxGroupsZ"/> matrices covering <paramref name="batch"/>: one dispatch each.</summary>
    internal static IReadOnlyList<(int First, int Count)> BatchChunks(int batch, uint maxGroupsZ)
    {
        var chunks = new List<(int, int)>();
        for (var first = 0; first < batch; first += (int)maxGroupsZ)
            chunks.Add((first, (int)Math.Min(maxGroupsZ, batch - first)));
        return chunks;
    }

    /// <summary>
    /// The vec4 texels between consecutive matrices of <paramref name="t"/> (0 for one matrix, shared),
    /// after checking its rows are contiguous, the stride is whole texels and all its matrices fit one
    /// binding of <paramref name="maxBytes"/>.
    /// </summary>
    private static uint BatchStride(string name, string operand, Tensor t, ulong maxBytes)
    {
        var (rows, cols) = (t.Shape[-2], t.Shape[-1]);
        if (t.Strides[^1] != 1 || (rows > 1 && t.Strides[^2] != cols))
            throw new EngineException($"{name}: {operand} {t.Shape} with strides ({string.Join(", ", t.Strides)}) must have contiguous rows.");
        var stride = t.Shape.Rank == 3 && t.Shape[0] > 1 ? t.Strides[0] : 0;
        if (stride < 0 || stride % 4 != 0)
            throw new EngineException($"{name}: {operand} {t.Shape} has a batch stride of {stride} floats, not a non-negative multiple of 4 (whole vec4 texels).");
        if (t.ByteExtent > maxBytes)
            throw new EngineException($"{name}: {operand} {t.Shape} spans {t.ByteExtent} bytes, more than one binding holds ({maxBytes} bytes); split the batch.");
        return (uint)(stride / 4);
    }

    /// <summary>Strides in vec4 texels between consecutive matrices; First is the matrix of workgroup z = 0.</summary>
    private readonly record struct Push(uint M, uint N, uint K, uint First, uint StrideA, uint StrideB, uint StrideC, uint StrideR);
}
