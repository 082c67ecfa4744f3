using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class BatchedGemmTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "gemm";

    /// <summary>Written into the gaps between matrices: a read of a gap shows in C, a write into one is caught.</summary>
    private const float Gap = float.NaN;

    [Theory]
    [InlineData("batch5_odd_m", false, 0u, Tiling.Registers)]
    [InlineData("shared_b_bias_relu", false, 0u, Tiling.Registers)]
    [InlineData("shared_b_bias_relu", true, 0u, Tiling.Registers)]
    [InlineData("shared_a_residual", false, 0u, Tiling.Registers)]
    [InlineData("shared_a_residual", true, 0u, Tiling.Registers)]
    [InlineData("shared_b_all_epilogues", true, 0u, Tiling.Registers)]
    [InlineData("batch1_wide", false, 0u, Tiling.Registers)]
    [InlineData("batch5_odd_m", false, 2u, Tiling.Registers)]
    [InlineData("shared_b_all_epilogues", false, 3u, Tiling.Registers)]
    [InlineData("batch5_odd_m", false, 0u, Tiling.SharedMemory)]
    [InlineData("shared_a_residual", true, 0u, Tiling.SharedMemory)]
    [InlineData("shared_b_all_epilogues", false, 3u, Tiling.SharedMemory)]
    [InlineData("batch1_wide", false, 0u, Tiling.SharedMemory)]
    public void Batched_gemm_on_slabs_at_the_binding_alignment_matches_torch_bmm(string name, bool sharedAsStrideZero, uint maxGroupsZ, Tiling tiling)
    {
        var c = Fixtures.Case(Set, name);
        var (batch, m, k, n) = (c.GetProperty("batch").GetInt32(), c.GetProperty("m").GetInt32(), c.GetProperty("k").GetInt32(), c.GetProperty("n").GetInt32());
        var a = Fixtures.Npy(Set, $"{name}.a");
        var b = Fixtures.Npy(Set, $"{name}.b");
        var tensors = new List<Tensor>();
        try
        {
            var ta = Slabs(tensors, "A", a.ToFloats(), a.Shape[0], m, k, batch, sharedAsStrideZero);
            var tb = Slabs(tensors, "B", b.ToFloats(), b.Shape[0], k, n, batch, sharedAsStrideZero);
            var tc = Slabs(tensors, "C", new float[batch * m * n], batch, m, n, batch, sharedAsStrideZero);
            var cSlabs = tensors[^1];
            var tbias = c.GetProperty("bias").GetBoolean() ? Track(tensors, Device.CreateTensor<float>("bias", new Shape(n), Fixtures.Npy(Set, $"{name}.bias").ToFloats())) : null;
            var tr = c.GetProperty("residual").GetBoolean() ? Slabs(tensors, "R", Fixtures.Npy(Set, $"{name}.residual").ToFloats(), batch, m, n, batch, sharedAsStrideZero) : null;
            var relu = c.GetProperty("relu").GetBoolean();
            var (tileM, tileN4) = tiling == Tiling.SharedMemory ? (64, 16) : (8, 2);
            var gemm = new Gemm(Device, ta, tb, tc, tbias, tr, relu, tileM, tileN4, "gemm", maxGroupsZ == 0 ? Device.MaxGroupsZ : maxGroupsZ, tiling);
            using var list = Device.CreateCommandList("batched gemm");
            gemm.Record(list);
            list.Finish();
            Device.Submit(list).Wait();
            Assert.Equal(maxGroupsZ == 0 ? 1 : (batch + (int)maxGroupsZ - 1) / (int)maxGroupsZ, list.DispatchCount);

            var slabs = cSlabs.Download<float>();
            var stride = tc.Strides[0];
            var result = new float[batch * m * n];
            for (var z = 0; z < batch; z++)
            {
                slabs.AsSpan((int)(z * stride), m * n).CopyTo(result.AsSpan(z * m * n));
                if (z + 1 < batch)
                    Assert.All(slabs[(int)(z * stride + m * n)..(int)((z + 1) * stride)], v => Assert.True(float.IsNaN(v), $"{name}: a gap after C[{z}] was written"));
            }
            OpFixtures.AssertClose(Fixtures.Npy(Set, $"{name}.c").ToFloats(), result, $"{name} (max z {maxGroupsZ}, {tiling})");
        }
        finally
        {
            foreach (var t in tensors)
                t.Dispose();
        }
    }

    [Fact]
    public void A_batch_past_the_z_limit_splits_into_consecutive_dispatches()
    {
        Assert.Equal([(0, 36)], Gemm.BatchChunks(36, 65535));
        Assert.Equal([(0, 16), (16, 16), (32, 4)], Gemm.BatchChunks(36, 16));
        Assert.Equal([(0, 1)], Gemm.BatchChunks(1, 1));
    }

    [Fact]
    public void Batched_gemm_rejects_bad_shapes_and_strides_naming_them()
    {
        using var buffer = Device.CreateTensor("buffer", new Shape(4096));
        Tensor View(Shape shape, params long[] strides) => new(buffer.Buffer, buffer.ByteOffset, shape, DataType.Float32, "view", strides);
        var a = View(new Shape(3, 5, 8), 64, 8, 1);
        var b = View(new Shape(3, 8, 4), 32, 4, 1);
        var c = View(new Shape(3, 5, 4), 20, 4, 1);
        _ = new Gemm(Device, a, b, c);

        Assert.Contains("all batches of matrices", Reject(a, View(new Shape(8, 4), 4, 1), c), StringComparison.Ordinal);
        Assert.Contains("batch of 3 matrices, or 1 (shared)", Reject(View(new Shape(2, 5, 8), 64, 8, 1), b, c), StringComparison.Ordinal);
        Assert.Contains("A (3, 5, 8) has a batch stride of 42 floats", Reject(View(new Shape(3, 5, 8), 42, 8, 1), b, c), StringComparison.Ordinal);
        Assert.Contains("B (3, 8, 4) with strides (32, 8, 1) must have contiguous rows", Reject(a, View(new Shape(3, 8, 4), 32, 8, 1), c), StringComparison.Ordinal);
        Assert.Contains("C (3, 5, 4) matrices 0 floats apart overlap", Reject(a, b, View(new Shape(3, 5, 4), 0, 4, 1)), StringComparison.Ordinal);
        Assert.Contains("does not give C", Reject(a, b, View(new Shape(3, 6, 4), 24, 4, 1)), StringComparison.Ordinal);
    }

    [Fact]
    public void Batched_gemm_refuses_a_c_whose_matrices_do_not_fit_one_storage_binding()
    {
        // Two 1x4 matrices one binding apart: each fits, the pair spans one texel more than a binding.
        var limit = (long)Device.Limits.maxStorageBufferRange;
        using var buffer = Device.CreateTensor("buffer", new Shape(checked((int)(limit / sizeof(float) + 4))));
        var c = new Tensor(buffer.Buffer, buffer.ByteOffset, new Shape(2, 1, 4), DataType.Float32, "C", [limit / sizeof(float), 4, 1]);
        using var a = Device.CreateTensor("A", new Shape(2, 1, 4));
        using var b = Device.CreateTensor("B", new Shape(1, 4, 4));
        Assert.Contains($"C (2, 1, 4) spans {limit + 16} bytes, more than one binding holds ({limit} bytes)", Reject(a, b, c), StringComparison.Ordinal);
    }

    private string Reject(Tensor a, Tensor b, Tensor c) => Assert.Throws<EngineException>(() => new Gemm(Device, a, b, c, name: "bad")).Message;

    /// <summary>
    /// The <paramref name="count"/> (rows, cols) matrices of <paramref name="data"/> in slabs at the device's binding
    /// alignment with a gap of <see cref="Gap"/> after each, as a (batch, rows, cols) view (the slab tensor
    /// is tracked last); one matrix is shared by all, as a batch-stride-0 view if <paramref name="strideZero"/>, else as batch 1.
    /// </summary>
    private Tensor Slabs(List<Tensor> tensors, string name, float[] data, int count, int rows, int cols, int batch, bool strideZero)
    {
        var alignFloats = (long)Device.BindingAlignment / sizeof(float);
        var stride = (rows * cols + alignFloats) / alignFloats * alignFloats;
        var slabs = new float[count * stride];
        Array.Fill(slabs, Gap);
        for (var z = 0; z < count; z++)
            data.AsSpan(z * rows * cols, rows * cols).CopyTo(slabs.AsSpan((int)(z * stride)));
        var owner = Track(tensors, Device.CreateTensor<float>(name, new Shape(slabs.Length), slabs));
        var shared = count == 1 && batch > 1;
        var shape = new Shape(shared && !strideZero ? 1 : batch, rows, cols);
        return new Tensor(owner.Buffer, owner.ByteOffset, shape, DataType.Float32, $"{name} slabs", [shared ? 0 : stride, cols, 1]);
    }

    private static Tensor Track(List<Tensor> tensors, Tensor tensor)
    {
        tensors.Add(tensor);
        return tensor;
    }
}
