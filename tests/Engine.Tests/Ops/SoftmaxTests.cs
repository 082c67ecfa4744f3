using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class SoftmaxTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData("softmax_small")]
    [InlineData("softmax_long_rows")]
    [InlineData("softmax_scaled")]
    public void Softmax_matches_torch(string name)
    {
        var x = OpFixtures.Array(name, "x");
        var scale = (float)OpFixtures.Case(name).GetProperty("scale").GetDouble();
        using var tx = Device.CreateTensor<float>("x", x.Shape, x.ToFloats());
        using var ty = Device.CreateTensor("y", x.Shape);
        Device.Run(new Softmax(Device, tx, ty, scale).Record);
        OpFixtures.AssertClose(OpFixtures.Array(name, "y").ToFloats(), ty.Download<float>(), name);
    }
}
