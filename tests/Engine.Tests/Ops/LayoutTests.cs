using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

/// <summary>Permute, slice and concat (the strided-copy family) against PyTorch.</summary>
public sealed class LayoutTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("to_channels_last")]
    [InlineData("to_channels_last_wide")]
    public void Ncthw_to_channels_last_pads_channels_with_zeros_and_back_restores_the_input(string name)
    {
        var x = OpFixtures.Array(name, "x");
        var expected = OpFixtures.Array(name, "y");
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var cl = Device.CreateTensor("cl", expected.Shape);
        using var back = Device.CreateTensor("back", x.Shape);
        Device.Run(list => list.Fill(cl, BitConverter.SingleToUInt32Bits(float.NaN)));
        Device.Run(list =>
        {
            Permute.ToChannelsLast(Device, tx, cl).Record(list);
            Permute.FromChannelsLast(Device, cl, back).Record(list);
        });
        Assert.Equal(expected.ToFloats(), cl.Download<float>());
        Assert.Equal(x.ToFloats(), back.Download<float>());
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1000)]
    public void Layout_conversions_split_into_chunks_match_torch(int maxChunkBytes)
    {
        // Chunks of 64 bytes are smaller than one channel plane of the NCTHW output, so the split
        // recurses past the batch and channel axes; 1000 bytes split at an unaligned element.
        var x = OpFixtures.Array("to_channels_last", "x");
        var expected = OpFixtures.Array("to_channels_last", "y");
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var cl = Device.CreateTensor("cl", expected.Shape);
        using var back = Device.CreateTensor("back", x.Shape);
        var to = new Permute(Device, tx, cl, [0, 2, 3, 4, 1], "to", (ulong)maxChunkBytes);
        var from = new Permute(Device, cl, back, [0, 4, 1, 2, 3], "from", (ulong)maxChunkBytes);
        Assert.True(to.DispatchCount > 1 && from.DispatchCount > 1, $"expected several chunks, got {to.DispatchCount} and {from.DispatchCount}");
        Device.Run(list =>
        {
            to.Record(list);
            from.Record(list);
        });
        Assert.Equal(expected.ToFloats(), cl.Download<float>());
        Assert.Equal(x.ToFloats(), back.Download<float>());
    }

    [Fact]
    public void Permute_matches_torch()
    {
        var x = OpFixtures.Array("permute_3d", "x");
        var expected = OpFixtures.Array("permute_3d", "y");
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var ty = Device.CreateTensor("y", expected.Shape);
        Device.Run(new Permute(Device, tx, ty, [2, 0, 1]).Record);
        Assert.Equal(expected.ToFloats(), ty.Download<float>());
    }

    [Fact]
    public void Slice_with_steps_matches_torch()
    {
        var x = OpFixtures.Array("slice_steps", "x");
        var expected = OpFixtures.Array("slice_steps", "y");
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var ty = Device.CreateTensor("y", expected.Shape);
        Device.Run(new Slice(Device, tx, ty, [1, 0, 2], [2, 3, 1]).Record);
        Assert.Equal(expected.ToFloats(), ty.Download<float>());
    }

    [Fact]
    public void Concat_matches_torch()
    {
        var parts = "abc".Select(k => OpFixtures.Array("concat_axis1", k.ToString())).ToArray();
        var expected = OpFixtures.Array("concat_axis1", "y");
        var inputs = parts.Select((p, i) => Device.CreateTensor<float>($"in{i}", p.Shape, p.ToFloats())).ToArray();
        using var ty = Device.CreateTensor("y", expected.Shape);
        Device.Run(new Concat(Device, inputs, ty, axis: 1).Record);
        Assert.Equal(expected.ToFloats(), ty.Download<float>());
        foreach (var input in inputs)
            input.Dispose();
    }

    [Fact]
    public void Slice_names_the_op_when_it_leaves_the_input()
    {
        using var x = Device.CreateTensor("x", new Shape(4, 5));
        using var y = Device.CreateTensor("y", new Shape(2, 5));
        var error = Assert.Throws<EngineException>(() => new Slice(Device, x, y, [3, 0], name: "crop"));
        Assert.Contains("crop", error.Message, StringComparison.Ordinal);
    }
}
