using System.Text.Json;
using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class WinogradConvTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "winograd";

    [Theory]
    [InlineData("odd_1x5x7_pad1", 2)]
    [InlineData("odd_3x13x9_pad0", 2)]
    [InlineData("even_2x8x6_pad1_residual", 2)]
    [InlineData("pad2x1_1x6x5_nobias", 2)]
    [InlineData("odd_1x5x7_pad1", 4)]
    [InlineData("odd_3x13x9_pad0", 4)]
    [InlineData("even_2x8x6_pad1_residual", 4)]
    [InlineData("pad2x1_1x6x5_nobias", 4)]
    [InlineData("t_odd_5x4x3_pad1", 2)]
    [InlineData("t_odd_7x3x5_pad0", 2)]
    [InlineData("t_even_8x2x3_pad1_residual", 2)]
    [InlineData("t_short_3x2x2_pad1", 2)]
    [InlineData("t_odd_5x4x3_pad1", 4)]
    [InlineData("t_odd_7x3x5_pad0", 4)]
    [InlineData("t_even_8x2x3_pad1_residual", 4)]
    [InlineData("t_short_3x2x2_pad1", 4)]
    public void Winograd_conv_matches_torch(string name, int tile) => Assert.True(Run(name, tile, scratchShortBy: null), $"{name} did not run as Winograd");

    [Theory]
    [InlineData("odd_3x13x9_pad0", 2)]
    [InlineData("even_2x8x6_pad1_residual", 4)]
    [InlineData("t_odd_5x4x3_pad1", 2)]
    [InlineData("t_even_8x2x3_pad1_residual", 4)]
    public void Conv_falls_back_to_the_direct_kernel_when_the_winograd_scratch_is_too_small(string name, int tile) =>
        Assert.False(Run(name, tile, scratchShortBy: 4), $"{name} ran as Winograd with too little scratch");

    [Fact]
    public void Only_1x3x3_and_3x1x1_stride1_undilated_ungrouped_convolutions_are_winograd_eligible()
    {
        var pad = Size3.Planar(1, 1, 0);
        Assert.True(new ConvSpec(64, 64, new Size3(1, 3, 3), padding: pad).IsWinogradEligible);
        Assert.True(new ConvSpec(6, 10, Size3.Planar(3, 3)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(1, 3, 3), Size3.Planar(2, 2), pad).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(1, 3, 3), padding: pad, dilation: Size3.Planar(2, 2)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(1, 3, 3), padding: pad, groups: 2).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(3, 3, 3), padding: Size3.Cube(1)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(1, 3, 3), padding: Size3.Cube(1)).IsWinogradEligible);
        // A 4-channel input unfolds its width instead.
        Assert.False(new ConvSpec(3, 64, new Size3(1, 3, 3), padding: pad).IsWinogradEligible);
        var padT = new Size3(1, 0, 0);
        Assert.True(new ConvSpec(256, 64, new Size3(3, 1, 1), padding: padT).IsWinogradEligible);
        Assert.True(new ConvSpec(5, 7, new Size3(3, 1, 1)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(3, 1, 1), new Size3(2, 1, 1), padT).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(3, 1, 1), padding: padT, dilation: new Size3(2, 1, 1)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(3, 1, 1), padding: padT, groups: 4).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(3, 1, 1), padding: Size3.Cube(1)).IsWinogradEligible);
        Assert.False(new ConvSpec(64, 64, new Size3(5, 1, 1), padding: new Size3(2, 0, 0)).IsWinogradEligible);
    }

    [Fact]
    public void Winograd_scratch_is_refused_when_v_would_not_fit_one_binding()
    {
        var spec = new ConvSpec(256, 256, new Size3(1, 3, 3), padding: Size3.Planar(1, 1, 0));
        // V: 16 matrices of (128 * 28 * 28 / 4 tiles, 256 channels), 392 MiB (past lavapipe's 128 MiB binding).
        var vBytes = 16L * (128 * 14 * 14) * 256 * sizeof(float);
        Assert.Equal(vBytes > Device.Limits.maxStorageBufferRange, WinogradConv.ScratchBytes(Device, spec, ChannelsLast.Shape(1, 128, 28, 28, 256), 2) == 0);
        Assert.True(WinogradConv.ScratchBytes(Device, spec, ChannelsLast.Shape(1, 8, 28, 28, 256), 2) > 0);
    }

    [Fact]
    public void Winograd_scratch_is_refused_when_m_would_not_fit_one_storage_binding()
    {
        // The batched GEMM writes all of M through one storage binding: 64 -> 512 channels, 16 frames of
        // 56x56 give M of 36 matrices of (16 * 14 * 14 tiles, 512), 231 MB, while V (64 channels) is 29 MB.
        var spec = new ConvSpec(64, 512, new Size3(1, 3, 3), padding: Size3.Planar(1, 1, 0));
        var mBytes = 36L * (16 * 14 * 14) * 512 * sizeof(float);
        Assert.Equal(mBytes > Device.Limits.maxStorageBufferRange, WinogradConv.ScratchBytes(Device, spec, ChannelsLast.Shape(1, 16, 56, 56, 64), 4) == 0);
        Assert.True(WinogradConv.ScratchBytes(Device, spec, ChannelsLast.Shape(1, 4, 56, 56, 64), 4) > 0);
    }

    [Fact]
    public void Winograd_transforms_stay_below_the_divmod_bound()
    {
        // F(4, 3) along 4 frames: one tile per pixel; 64 output channels are 16 texels per tile, so the
        // output transform has 16 * H * W invocations: 2^21 at 256x512, just below at 255x512. On a device
        // with 128 MiB bindings M (6 matrices of 64 channels) is refused first, so the count is checked too.
        var spec = new ConvSpec(5, 64, new Size3(3, 1, 1), padding: new Size3(1, 0, 0));
        Assert.Equal(DivmodSmall.Limit, WinogradConv.TransformInvocations(256 * 512, 8, 64));
        Assert.Equal(DivmodSmall.Limit - 16 * 512, WinogradConv.TransformInvocations(255 * 512, 8, 64));
        Assert.Equal(0, WinogradConv.ScratchBytes(Device, spec, ChannelsLast.Shape(1, 4, 256, 512, 5), 4));
    }

    /// <summary>The convolution of a case of tests/fixtures/gen_winograd.py.</summary>
    internal static ConvSpec Spec(JsonElement c) => new(c.GetProperty("in").GetInt32(), c.GetProperty("out").GetInt32(),
        OpFixtures.Size(c.GetProperty("kernel"), 1), padding: OpFixtures.Size(c.GetProperty("padding"), 0));

    /// <summary>Runs case <paramref name="name"/> through <see cref="Conv"/>'s choosing constructor; returns whether it took Winograd.</summary>
    private bool Run(string name, int tile, long? scratchShortBy)
    {
        var c = Fixtures.Case(Set, name);
        var spec = Spec(c);
        var (x, xShape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.x"));
        var (expected, yShape, cout) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.y"));
        var weights = Fixtures.Npy(Set, $"{name}.w").ToFloats();
        using var tx = Device.CreateTensor<float>("x", xShape, x);
        using var tw = Device.CreateTensor<float>("w", spec.PackedWeightShape, spec.PackWeights(weights));
        using var tu = Device.CreateTensor<float>("u", WinogradConv.WeightShape(spec, tile), WinogradConv.PackWeights(spec, weights, tile));
        using var ty = Device.CreateTensor("y", yShape);
        using var tb = c.GetProperty("bias").GetBoolean()
            ? Device.CreateTensor<float>("b", new Shape(yShape[4]), ChannelsLast.PadVector(Fixtures.Npy(Set, $"{name}.b").ToFloats()))
            : null;
        using var tr = c.GetProperty("residual").GetBoolean()
            ? Device.CreateTensor<float>("r", yShape, OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}.residual")).Data)
            : null;
        var bytes = WinogradConv.ScratchBytes(Device, spec, xShape, tile);
        Assert.True(bytes > 0, $"{name} ({spec}): no Winograd scratch for {xShape}");
        using var scratch = Device.CreateTensor("scratch", new Shape(checked((int)((bytes - (scratchShortBy ?? 0)) / sizeof(float)))));
        Device.Run(list =>
        {
            list.Fill(ty, BitConverter.SingleToUInt32Bits(float.NaN));
            list.Fill(scratch, BitConverter.SingleToUInt32Bits(float.NaN));
        });
        var conv = new Conv(Device, spec, tx, tw, tu, ty, scratch, tb, tr, c.GetProperty("relu").GetBoolean(), name);
        Device.Run(conv.Record);
        var y = ty.Download<float>();
        OpFixtures.AssertClose(expected, y, $"{name} ({spec}, winograd {conv.UsesWinograd}, tile {tile})");
        OpFixtures.AssertPaddingZero(y, yShape, cout, name);
        return conv.UsesWinograd;
    }
}
