using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

/// <summary>
/// Kernels over grids past a device limit: flat_invocation() over more than 65535 workgroups in x, and
/// strided copies whose boxes the host splits (the bound of divmod_small, the y and z group counts).
/// </summary>
public sealed class LargeGridTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void Permute_to_channels_last_covers_a_grid_taller_than_one_row()
    {
        var shape = new Shape(1, 3, 64, 144, 144);
        var n = (int)shape.ElementCount;
        var data = new float[n];
        for (var i = 0; i < n; i++)
            data[i] = i % 9973 + 1;
        using var x = Device.CreateTensor<float>("x", shape, data);
        using var y = Device.CreateTensor("y", new Shape(1, 64, 144, 144, 4));
        Device.Run(Permute.ToChannelsLast(Device, x, y).Record);
        var result = y.Download<float>();
        var pixels = 64 * 144 * 144;
        for (var p = 0; p < pixels; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                if (result[p * 4 + c] != data[c * pixels + p])
                    Assert.Fail($"pixel {p} channel {c} (element {p * 4 + c}): {result[p * 4 + c]} != {data[c * pixels + p]}");
            }
        }
    }

    [Fact]
    public void Permute_from_channels_last_splits_planes_past_the_divmod_bound()
    {
        // H * W = 2102209 >= 2^21: the copy's x axis (the two innermost axes) is halved along H.
        var shape = new Shape(1, 3, 1, 1031, 2039);
        var plane = shape[3] * shape[4];
        Assert.True(plane >= DivmodSmall.Limit);
        var data = new float[plane * 4];
        for (var i = 0; i < data.Length; i++)
            data[i] = i % 9973 + 1;
        using var x = Device.CreateTensor<float>("x", ChannelsLast.Shape(1, 1, shape[3], shape[4], 3), data);
        using var y = Device.CreateTensor("y", shape);
        var permute = Permute.FromChannelsLast(Device, x, y);
        Assert.True(permute.DispatchCount > 1, $"expected a split, got {permute.DispatchCount} dispatch");
        Device.Run(permute.Record);
        var result = y.Download<float>();
        for (var c = 0; c < 3; c++)
        {
            for (var p = 0; p < plane; p++)
            {
                if (result[c * plane + p] != data[p * 4 + c])
                    Assert.Fail($"channel {c} pixel {p}: {result[c * plane + p]} != {data[p * 4 + c]}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Permute_splits_boxes_taller_than_the_y_or_z_group_limit(bool z)
    {
        // Output (L, 3, 2) puts L on the grid's y axis; (L, 3, 1, 2) puts it on z.
        var lines = (int)(z ? Math.Min(Device.MaxGroupsZ + 1L, DivmodSmall.Limit) : Device.MaxGroupsY) + 3;
        var inShape = z ? new Shape(lines, 2, 1, 3) : new Shape(lines, 2, 3);
        var data = new float[inShape.ElementCount];
        for (var i = 0; i < data.Length; i++)
            data[i] = i % 9973 + 1;
        using var x = Device.CreateTensor<float>("x", inShape, data);
        using var y = Device.CreateTensor("y", z ? new Shape(lines, 3, 1, 2) : new Shape(lines, 3, 2));
        var permute = z ? new Permute(Device, x, y, [0, 3, 2, 1]) : new Permute(Device, x, y, [0, 2, 1]);
        Assert.True(permute.DispatchCount > 1, $"expected a split, got {permute.DispatchCount} dispatch");
        Device.Run(permute.Record);
        var result = y.Download<float>();
        for (var l = 0; l < lines; l++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var j = 0; j < 2; j++)
                {
                    var got = result[(l * 3 + c) * 2 + j];
                    var want = data[(l * 2 + j) * 3 + c];
                    if (got != want)
                        Assert.Fail($"line {l} ({c}, {j}): {got} != {want}");
                }
            }
        }
    }
}
