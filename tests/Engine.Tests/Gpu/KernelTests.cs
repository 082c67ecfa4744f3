using Engine.Gpu;
using Engine.Ops;

namespace Engine.Tests.Gpu;

/// <summary>Kernels against straightforward CPU references: a test kernel for workgroup reductions, and the core's GEMM (elementwise ops are tested with the op library).</summary>
public sealed class KernelTests(GpuFixture fixture) : GpuTest(fixture)
{
    // A test-only kernel (shared memory, barriers, a specialization constant), compiled at run time
    // so shaders/ holds production kernels only.
    private static readonly Lazy<byte[]> _reduceRows = new(() =>
        ShaderCompiler.CompileFile(Path.Combine(Fixtures.RepoRoot, "tests", "Engine.Tests", "Gpu", "Shaders", "reduce_rows.comp")));

    private readonly record struct RowsPush(uint Rows, uint Cols);

    [Theory]
    [InlineData(0, 5, 1)]
    [InlineData(0, 3, 1000)]
    [InlineData(1, 17, 129)]
    public void Row_reduction_matches_cpu(int op, int rows, int cols)
    {
        var x = RandomFloats(rows * cols, rows + cols);
        using var tx = Device.CreateTensor<float>("x", new Shape(rows, cols), x);
        using var to = Device.CreateTensor("o", new Shape(rows));
        var pipeline = Device.Pipeline("reduce_rows", _reduceRows.Value, SpecConstant.UInt(0, (uint)op));
        Device.Run(list => list.Dispatch(pipeline, new Groups((uint)rows), new RowsPush((uint)rows, (uint)cols), tx, to));
        var result = to.Download<float>();
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols).ToArray();
            var expected = op == 0 ? row.Sum(v => (double)v) : row.Max();
            Assert.True(Math.Abs(expected - result[r]) <= 1e-5 * Math.Max(1, cols), $"row {r}: {result[r]} != {expected}");
        }
    }

    [Theory]
    [InlineData(1, 4, 4, 8, 2, Tiling.Registers)]
    [InlineData(37, 20, 44, 8, 2, Tiling.Registers)]
    [InlineData(129, 64, 36, 8, 2, Tiling.Registers)]
    [InlineData(50, 12, 100, 4, 1, Tiling.Registers)]
    [InlineData(17, 8, 24, 16, 2, Tiling.Registers)]
    [InlineData(45, 16, 140, 16, 4, Tiling.Registers)]
    // Shared memory: one row past a block, K off the 16-value chunk (20, 36), N past a block's columns.
    [InlineData(1, 4, 4, 64, 16, Tiling.SharedMemory)]
    [InlineData(65, 20, 44, 64, 8, Tiling.SharedMemory)]
    [InlineData(129, 64, 36, 64, 16, Tiling.SharedMemory)]
    [InlineData(45, 36, 140, 64, 16, Tiling.SharedMemory)]
    [InlineData(50, 12, 100, 8, 2, Tiling.SharedMemory)]
    public void Gemm_matches_cpu_for_sizes_off_the_tile(int m, int k, int n, int tileM, int tileN4, Tiling tiling)
    {
        var a = RandomFloats(m * k, 11);
        var b = RandomFloats(k * n, 12);
        using var ta = Device.CreateTensor<float>("A", new Shape(m, k), a);
        using var tb = Device.CreateTensor<float>("B", new Shape(k, n), b);
        using var tc = Device.CreateTensor("C", new Shape(m, n));
        Device.Run(list => list.Fill(tc, BitConverter.SingleToUInt32Bits(float.NaN)));
        var gemm = new Gemm(Device, ta, tb, tc, tileM: tileM, tileN4: tileN4, tiling: tiling);
        Device.Run(gemm.Record);
        var c = tc.Download<float>();
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var p = 0; p < k; p++)
                    s += (double)a[i * k + p] * b[p * n + j];
                Assert.True(Math.Abs(s - c[i * n + j]) <= 1e-5 * k, $"C[{i},{j}] = {c[i * n + j]}, expected {s}");
            }
        }
    }

    [Fact]
    public void Gemm_fuses_bias_residual_and_relu()
    {
        const int M = 21, K = 12, N = 8;
        var a = RandomFloats(M * K, 21);
        var b = RandomFloats(K * N, 22);
        var bias = RandomFloats(N, 23);
        var residual = RandomFloats(M * N, 24);
        using var ta = Device.CreateTensor<float>("A", new Shape(M, K), a);
        using var tb = Device.CreateTensor<float>("B", new Shape(K, N), b);
        using var tbias = Device.CreateTensor<float>("bias", new Shape(N), bias);
        using var tr = Device.CreateTensor<float>("residual", new Shape(M, N), residual);
        using var tc = Device.CreateTensor("C", new Shape(M, N));
        Device.Run(new Gemm(Device, ta, tb, tc, tbias, tr, relu: true).Record);
        var c = tc.Download<float>();
        for (var i = 0; i < M; i++)
        {
            for (var j = 0; j < N; j++)
            {
                double s = bias[j] + residual[i * N + j];
                for (var p = 0; p < K; p++)
                    s += (double)a[i * K + p] * b[p * N + j];
                Assert.True(Math.Abs(Math.Max(s, 0) - c[i * N + j]) <= 1e-5, $"C[{i},{j}] = {c[i * N + j]}, expected {Math.Max(s, 0)}");
            }
        }
    }

    [Fact]
    public void Gemm_rejects_k_that_is_not_a_multiple_of_4()
    {
        using var a = Device.CreateTensor("A", new Shape(3, 5));
        using var b = Device.CreateTensor("B", new Shape(5, 4));
        using var c = Device.CreateTensor("C", new Shape(3, 4));
        var error = Assert.Throws<EngineException>(() => new Gemm(Device, a, b, c));
        Assert.Contains("K = 5", error.Message, StringComparison.Ordinal);
    }
}
