using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

/// <summary>Kernels indexed with flat_invocation() over a grid of more than 65535 workgroups in x.</summary>
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
}
