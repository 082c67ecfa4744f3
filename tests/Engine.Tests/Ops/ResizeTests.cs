using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class ResizeTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("resize_nearest_exact_size")]
    [InlineData("resize_nearest_down")]
    [InlineData("resize_nearest_double")]
    [InlineData("resize_bilinear_up")]
    [InlineData("resize_bilinear_up_align")]
    [InlineData("resize_bilinear_down")]
    public void Resize_matches_torch(string name)
    {
        var c = OpFixtures.Case(name);
        var mode = c.GetProperty("mode").GetString() == "nearest" ? ResizeMode.Nearest
            : c.GetProperty("align_corners").GetBoolean() ? ResizeMode.BilinearAlignCorners : ResizeMode.Bilinear;
        var (x, xShape, _) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "x"));
        var (expected, yShape, channels) = OpFixtures.ToChannelsLast(OpFixtures.Array(name, "y"));
        using var tx = Device.CreateTensor<float>("x", xShape, x);
        using var ty = Device.CreateTensor("y", yShape);
        Device.Run(new Resize(Device, tx, ty, mode).Record);
        var y = ty.Download<float>();
        OpFixtures.AssertClose(expected, y, name);
        OpFixtures.AssertPaddingZero(y, yShape, channels, name);
    }
}
