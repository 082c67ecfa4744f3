using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class ConvTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("conv2d_3x3_odd")]
    [InlineData("conv2d_stem_rgb")]
    [InlineData("conv2d_dilated")]
    [InlineData("conv2d_1x1_residual")]
    [InlineData("conv2d_1x1_stride2")]
    [InlineData("conv2d_rect_kernel")]
    [InlineData("conv1d_dilated")]
    [InlineData("conv3d_3x3x3")]
    [InlineData("conv3d_3x1x1")]
    [InlineData("conv3d_stem_5x7x7")]
    [InlineData("conv2d_groups2")]
    [InlineData("conv2d_depthwise")]
    [InlineData("conv3d_depth_multiplier")]
    public void Conv_matches_torch(string name) => Run(name, tileM: null, tileN4: null, maxChunkBytes: null);

    [Theory]
    [InlineData("conv2d_stem_rgb")]
    [InlineData("conv2d_rect_kernel")]
    [InlineData("conv1d_dilated")]
    [InlineData("conv3d_stem_5x7x7")]
    public void Conv_with_its_width_unfolded_matches_torch(string name) => Run(name, tileM: null, tileN4: null, maxChunkBytes: null, unfold: true);

    [Theory]
    [InlineData("conv3d_3x3x3", 8, 2)]
    [InlineData("conv3d_3x3x3", 16, 1)]
    [InlineData("conv2d_3x3_odd", 4, 4)]
    [InlineData("conv2d_stem_rgb", 3, 3)]
    [InlineData("conv3d_3x1x1", 16, 4)]
    [InlineData("conv3d_3x1x1", 8, 1)]
    [InlineData("conv2d_rect_kernel", 8, 1)]
    [InlineData("conv2d_1x1_stride2", 16, 1)]
    [InlineData("conv3d_stem_5x7x7", 16, 1)]
    public void Conv_matches_torch_with_other_register_tiles(string name, int tileM, int tileN4) => Run(name, tileM, tileN4, maxChunkBytes: null);

    [Theory]
    [InlineData("conv3d_3x3x3")]
    [InlineData("conv2d_1x1_residual")]
    [InlineData("conv2d_depthwise")]
    public void Conv_split_into_row_chunks_matches_torch(string name) => Run(name, 8, 2, maxChunkBytes: 1024);

    [Fact]
    public void Conv_names_the_op_and_shapes_when_the_output_shape_is_wrong()
    {
        var spec = new ConvSpec(3, 8, Size3.Planar(3, 3), padding: Size3.Planar(1, 1, 0));
        using var x = Device.CreateTensor("x", ChannelsLast.Shape(1, 1, 6, 6, 3));
        using var w = Device.CreateTensor("w", spec.PackedWeightShape);
        using var y = Device.CreateTensor("y", ChannelsLast.Shape(1, 1, 5, 6, 8));
        var error = Assert.Throws<EngineException>(() => new Conv(Device, spec, x, w, y, name: "stem"));
        Assert.Contains("stem", error.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 1, 6, 6, 8)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Small_outputs_get_the_small_pixel_tile()
    {
        Assert.Equal(ConvDefaults.SmallTileM, ConvDefaults.RowTile(49));
        Assert.Equal(ConvDefaults.TileM, ConvDefaults.RowTile(196));
        Assert.Equal(ConvDefaults.TileM, ConvDefaults.RowTile(56 * 56));
    }

    [Fact]
    public void Outputs_of_64_channels_or_more_get_the_wide_channel_tile()
    {
        Assert.Equal(ConvDefaults.TileN4, ConvDefaults.ColumnTile(32 / 4));
        Assert.Equal(ConvDefaults.WideTileN4, ConvDefaults.ColumnTile(64 / 4));
        Assert.Equal(ConvDefaults.WideTileN4, ConvDefaults.ColumnTile(2048 / 4));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 4)]
    [InlineData(5, 4)]
    [InlineData(8, 8)]
    [InlineData(512, 8)]
    public void Lanes_walk_channel_tiles_up_to_a_power_of_two_that_divides_the_workgroup(int columnTiles, int lanes) =>
        Assert.Equal(lanes, ConvDefaults.LaneColumns(columnTiles));

    [Fact]
    public void Packing_pads_rgb_input_channels_with_zero_weights()
    {
        var spec = new ConvSpec(3, 5, Size3.Planar(1, 2));
        var weights = Enumerable.Range(1, 5 * 3 * 2).Select(i => (float)i).ToArray();
        var packed = spec.PackWeights(weights);
        Assert.Equal(new Shape(8, 8), spec.PackedWeightShape);
        // Row tap*4 + ci, column co: input channel 3 and output columns 5..7 are padding.
        for (var tap = 0; tap < 2; tap++)
        {
            for (var ci = 0; ci < 4; ci++)
            {
                for (var co = 0; co < 8; co++)
                {
                    var expected = ci < 3 && co < 5 ? weights[(co * 3 + ci) * 2 + tap] : 0;
                    Assert.Equal(expected, packed[(tap * 4 + ci) * 8 + co]);
                }
            }
        }
    }

    private void Run(string name, int? tileM, int? tileN4, ulong? maxChunkBytes, bool unfold = false)
    {
        var c = OpFixtures.Case(name);
        var spec = new ConvSpec(c.GetProperty("in").GetInt32(), c.GetProperty("out").GetInt32(),
            OpFixtures.Size(c.GetProperty("kernel"), 1), OpFixtures.Size(c.GetProperty("stride"), 1),
            OpFixtures.Size(c.GetProperty("padding"), 0), OpFixtures.Size(c.GetProperty("dilation"), 1), c.GetProperty("groups").GetInt32());
        var (x, xShape, _) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "x"));
        var (expected, yShape, cout) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "y"));
        using var tx = Device.CreateTensor<float>("x", xShape, x);
        var weights = OpFixtures.Array(name, "w").ToFloats();
        using var tw = unfold
            ? Device.CreateTensor<float>("w", spec.WidthUnfolded.PackedWeightShape, spec.PackUnfoldedWeights(weights))
            : Device.CreateTensor<float>("w", spec.PackedWeightShape, spec.PackWeights(weights));
        using var ty = Device.CreateTensor("y", yShape);
        using var tb = c.GetProperty("bias").GetBoolean()
            ? Device.CreateTensor<float>("b", new Shape(yShape[4]), ChannelsLast.PadVector(OpFixtures.Array(name, "b").ToFloats()))
            : null;
        using var tr = c.GetProperty("residual").GetBoolean()
            ? Device.CreateTensor<float>("r", yShape, OpFixtures.ToChannelsLast(OpFixtures.Array(name, "residual")).Data)
            : null;
        Device.Run(list => list.Fill(ty, BitConverter.SingleToUInt32Bits(float.NaN)));
        var relu = c.GetProperty("relu").GetBoolean();
        if (unfold)
            Assert.True(spec.UnfoldsWidth, $"{name} ({spec}) does not unfold its width");
        using var scratch = unfold ? Device.CreateTensor("scratch", new Shape(checked((int)(Conv.UnfoldScratchBytes(spec, xShape) / 4)))) : null;
        if (scratch is not null)
            Device.Run(list => list.Fill(scratch, BitConverter.SingleToUInt32Bits(float.NaN)));
        var conv = scratch is not null ? new Conv(Device, spec, tx, tw, ty, scratch, tb, tr, relu, name)
            : maxChunkBytes is { } chunk
            ? new Conv(Device, spec, tx, tw, ty, tb, tr, relu, tileM, tileN4, name, chunk)
            : new Conv(Device, spec, tx, tw, ty, tb, tr, relu, tileM, tileN4, name);
        if (maxChunkBytes is not null)
            Assert.True(conv.DispatchCount > 1, $"{name}: expected several chunks, got {conv.DispatchCount}.");
        Device.Run(conv.Record);
        var y = ty.Download<float>();
        OpFixtures.AssertClose(expected, y, $"{name} ({spec})");
        OpFixtures.AssertPaddingZero(y, yShape, cout, name);
    }
}
