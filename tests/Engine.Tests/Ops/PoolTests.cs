using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class PoolTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("max2d_stem_padded")]
    [InlineData("max3d_caffe2_stem")]
    [InlineData("max2d_ceil")]
    [InlineData("max3d_temporal")]
    [InlineData("avg2d_ceil_count_pad")]
    [InlineData("avg2d_no_count_pad")]
    [InlineData("avg3d_head_fixed")]
    [InlineData("avg3d_global")]
    [InlineData("max2d_many_lines")]
    [InlineData("max3d_wide_odd_channels")]
    [InlineData("avg3d_wide_odd_channels")]
    public void Pool_matches_torch(string name) => Run(name, maxChunkBytes: null);

    [Theory]
    [InlineData("max3d_caffe2_stem")]
    [InlineData("avg2d_ceil_count_pad")]
    public void Pool_split_into_row_chunks_matches_torch(string name) => Run(name, maxChunkBytes: 256);

    private void Run(string name, ulong? maxChunkBytes)
    {
        var c = OpFixtures.Case(name);
        var (x, xShape, _) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "x"));
        var (expected, yShape, channels) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "y"));
        using var tx = Device.CreateTensor<float>("x", xShape, x);
        using var ty = Device.CreateTensor("y", yShape);
        Device.Run(list => list.Fill(ty, BitConverter.SingleToUInt32Bits(float.NaN)));
        var kind = c.GetProperty("kind").GetString();
        var (poolKind, kernel, stride, padding) = kind == "global"
            ? (PoolKind.Average, new Size3(xShape[1], xShape[2], xShape[3]), Size3.Cube(1), Size3.Cube(0))
            : (kind == "max" ? PoolKind.Max : PoolKind.Average, OpFixtures.Size(c.GetProperty("kernel"), 1),
                OpFixtures.Size(c.GetProperty("stride"), 1), OpFixtures.Size(c.GetProperty("padding"), 0));
        var (ceil, countPad) = (c.GetProperty("ceil").GetBoolean(), c.GetProperty("count_include_pad").GetBoolean());
        var pool = maxChunkBytes is { } chunk
            ? new Pool(Device, poolKind, tx, ty, kernel, stride, padding, ceil, countPad, name, chunk)
            : kind == "global" ? Pool.GlobalAverage(Device, tx, ty)
            : new Pool(Device, poolKind, tx, ty, kernel, stride, padding, ceil, countPad, name);
        if (maxChunkBytes is not null)
            Assert.True(pool.DispatchCount > 1, $"{name}: expected several chunks, got {pool.DispatchCount}.");
        Device.Run(pool.Record);
        var y = ty.Download<float>();
        OpFixtures.AssertClose(expected, y, name);
        OpFixtures.AssertPaddingZero(y, yShape, channels, name);
    }

    [Fact]
    public void Pool_refuses_outputs_of_2_pow_21_lines()
    {
        var lines = (int)DivmodSmall.Limit;
        using var x = Device.CreateTensor("x", new Shape(1, 1, lines, 1, 4));
        using var y = Device.CreateTensor("y", new Shape(1, 1, lines, 1, 4));
        var error = Assert.Throws<EngineException>(() => new Pool(Device, PoolKind.Max, x, y, Size3.Cube(1), name: "tall"));
        Assert.Contains("tall", error.Message);
        Assert.Contains($"{lines} lines", error.Message);
    }

    [Fact]
    public void Caffe2_stem_pool_gives_55_from_112_and_the_padded_one_56()
    {
        var size = new Size3(8, 112, 112);
        Assert.Equal(new Size3(8, 55, 55), Pool.OutputSize("pool1", size, Size3.Planar(3, 3), Size3.Planar(2, 2), Size3.Cube(0), ceilMode: false));
        Assert.Equal(new Size3(8, 56, 56), Pool.OutputSize("pool1", size, Size3.Planar(3, 3), Size3.Planar(2, 2), Size3.Planar(1, 1, 0), ceilMode: false));
    }
}
