using Engine.Gpu;
using Engine.Ops;

namespace Engine.Tests.Gpu;

public sealed class CommandListTests(GpuFixture fixture) : GpuTest(fixture)
{
    // ops/elementwise with OP 2: texel-wise a * alpha + beta; bindings A, B, C (unused here), Out.
    private readonly record struct ElementwisePush(uint First4, uint N4, uint PeriodB4, uint PeriodC4, float Alpha, float Beta)
    {
        public ElementwisePush(int n, float alpha, float beta)
            : this(0, (uint)n / 4, 1, 1, alpha, beta)
        {
        }
    }

    private const uint Affine = 2;

    [Fact]
    public void Chain_of_dependent_dispatches_sees_each_result()
    {
        // x <- 2x + 1 forty times through two ping-pong tensors: each dispatch reads the previous
        // one's output and overwrites what the one before read, so every barrier kind is needed.
        const int N = 5000, Steps = 40;
        using var ping = Device.CreateTensor<float>("ping", new Shape(N), new float[N]);
        using var pong = Device.CreateTensor("pong", new Shape(N));
        var pipeline = Device.Pipeline("ops/elementwise", SpecConstant.UInt(0, Affine));
        using var list = Device.CreateCommandList("chain");
        for (var i = 0; i < Steps; i++)
        {
            var (src, dst) = i % 2 == 0 ? (ping, pong) : (pong, ping);
            list.Dispatch(pipeline, new Groups(Groups.Cover(N / 4, 64)), new ElementwisePush(N, 2, 1), src, src, src, dst);
        }
        list.Finish();
        Device.Submit(list).Wait();
        Assert.Equal(Steps - 1, list.BarrierCount);
        var expected = (float)(Math.Pow(2, Steps) - 1);
        Assert.All(ping.Download<float>(), v => Assert.Equal(expected, v));
    }

    [Fact]
    public void A_read_of_bytes_a_later_partial_write_left_alone_still_waits_for_the_first_write()
    {
        // whole <- x; lo half <- y; out <- hi half. The second write's barrier retires the first write,
        // so it must order it before reads too: the hi half was written only by the first. Synchronization
        // validation fails this test when it does not.
        const int Half = 4096;
        var x = RandomFloats(2 * Half, 1);
        using var src = Device.CreateTensor<float>("x", new Shape(2 * Half), x);
        using var whole = Device.CreateTensor("whole", new Shape(2 * Half));
        var lo = new Tensor(whole.Buffer, whole.ByteOffset, new Shape(Half), DataType.Float32, "lo");
        var hi = new Tensor(whole.Buffer, whole.ByteOffset + Half * sizeof(float), new Shape(Half), DataType.Float32, "hi");
        using var result = Device.CreateTensor("out", new Shape(Half));
        var pipeline = Device.Pipeline("ops/elementwise", SpecConstant.UInt(0, Affine));
        using var list = Device.CreateCommandList("partial overwrite");
        list.Dispatch(pipeline, new Groups(Groups.Cover(2 * Half / 4, 64)), new ElementwisePush(2 * Half, 1, 0), src, src, src, whole);
        list.Dispatch(pipeline, new Groups(Groups.Cover(Half / 4, 64)), new ElementwisePush(Half, 0, 5), src, src, src, lo);
        list.Dispatch(pipeline, new Groups(Groups.Cover(Half / 4, 64)), new ElementwisePush(Half, 1, 0), hi, hi, hi, result);
        list.Finish();
        Device.Submit(list).Wait();
        Assert.Equal(x[Half..], result.Download<float>());
        Assert.All(lo.Download<float>(), v => Assert.Equal(5f, v));
    }

    [Fact]
    public void Independent_dispatches_get_no_barrier()
    {
        using var a = Device.CreateTensor<float>("a", new Shape(64), RandomFloats(64, 1));
        using var b = Device.CreateTensor("b", new Shape(64));
        using var c = Device.CreateTensor("c", new Shape(64));
        var pipeline = Device.Pipeline("ops/elementwise", SpecConstant.UInt(0, Affine));
        using var list = Device.CreateCommandList("independent");
        list.Dispatch(pipeline, new Groups(1), new ElementwisePush(64, 1, 0), a, a, a, b);
        list.Dispatch(pipeline, new Groups(1), new ElementwisePush(64, 1, 0), a, a, a, c);
        list.Finish();
        Device.Submit(list).Wait();
        Assert.Equal(0, list.BarrierCount);
    }

    [Fact]
    public void Resubmitting_a_list_reruns_it()
    {
        using var x = Device.CreateTensor<float>("x", new Shape(12), new float[12]);
        var pipeline = Device.Pipeline("ops/elementwise", SpecConstant.UInt(0, Affine));
        using var list = Device.CreateCommandList("in place");
        list.Dispatch(pipeline, new Groups(1), new ElementwisePush(12, 1, 1), x, x, x, x);
        list.Finish();
        for (var i = 0; i < 5; i++)
            Device.Submit(list);
        Assert.All(x.Download<float>(), v => Assert.Equal(5f, v));
    }

    [Fact]
    public void Timestamps_time_each_dispatch_within_the_wall_clock()
    {
        using var a = Device.CreateTensor<float>("A", new Shape(256, 256), RandomFloats(256 * 256, 5));
        using var c = Device.CreateTensor("C", new Shape(256, 256));
        var gemm = new Gemm(Device, a, a, c);
        using var list = Device.CreateCommandList("timed", profile: true);
        list.Region = "first";
        gemm.Record(list);
        list.Region = "second";
        gemm.Record(list);
        list.Finish();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Device.Submit(list).Wait();
        var wallMs = clock.Elapsed.TotalMilliseconds;

        var timings = list.Timings();
        Assert.Equal(["first", "second"], timings.Select(t => t.Region));
        Assert.All(timings, t => Assert.Equal("gemm", t.Pipeline));
        // 2 x 33.5 MFLOP take well over a microsecond on any device, and cannot take longer than the submit.
        Assert.All(timings, t => Assert.InRange(t.Milliseconds, 1e-3, wallMs));
        Assert.True(timings.Sum(t => t.Milliseconds) <= wallMs, $"GPU time {timings.Sum(t => t.Milliseconds)} ms > wall {wallMs} ms");
    }

    [Fact]
    public void Dispatch_with_the_wrong_number_of_tensors_names_the_bindings()
    {
        using var a = Device.CreateTensor("a", new Shape(4));
        var pipeline = Device.Pipeline("ops/elementwise", SpecConstant.UInt(0, Affine));
        using var list = Device.CreateCommandList("wrong");
        var error = Assert.Throws<EngineException>(() => list.Dispatch(pipeline, new Groups(1), new ElementwisePush(4, 1, 0), a, a));
        Assert.Contains("4 bindings", error.Message, StringComparison.Ordinal);
        Assert.Contains("A, B, C", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_specialization_constant_is_refused()
    {
        var error = Assert.Throws<EngineException>(() => Device.Pipeline("ops/elementwise", SpecConstant.UInt(9, 1)));
        Assert.Contains("constant_id = 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reflection_reads_bindings_access_and_texel_formats()
    {
        var layout = Device.Pipeline("gemm").Layout;
        Assert.Equal(
            [(BindingKind.StorageTexelBuffer, Access.Read), (BindingKind.StorageTexelBuffer, Access.Read), (BindingKind.StorageBuffer, Access.Write),
                (BindingKind.StorageTexelBuffer, Access.Read), (BindingKind.StorageTexelBuffer, Access.Read)],
            layout.Bindings.Select(b => (b.Kind, b.Access)));
        Assert.Equal(Engine.Interop.VkFormat.R32G32B32A32Sfloat, layout.Bindings[0].TexelFormat);
        Assert.True(layout.HasPushConstants);
        Assert.Equal([0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u], layout.SpecIds.Order());
    }
}
