using Engine.Gpu;

namespace Engine.Tests.Gpu;

public sealed class BufferTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(1023)]
    [InlineData(65537)]
    public void Tensor_round_trips_odd_sizes(int count)
    {
        var data = RandomFloats(count, count);
        using var tensor = Device.CreateTensor<float>("round trip", new Shape(count), data);
        Assert.Equal(data, tensor.Download<float>());
    }

    [Fact]
    public void Copy_between_views_at_offsets_moves_exactly_the_viewed_bytes()
    {
        using var buffer = Device.CreateBuffer("views", 4096);
        var whole = new Tensor(buffer, 0, new Shape(1024), DataType.Float32, "whole");
        whole.Upload<float>(Enumerable.Range(0, 1024).Select(i => (float)i).ToArray());
        var source = new Tensor(buffer, 64, new Shape(7), DataType.Float32, "source");
        var target = new Tensor(buffer, 2048, new Shape(7), DataType.Float32, "target");
        Device.Run(list => list.Copy(source, target));
        var result = whole.Download<float>();
        Assert.Equal(Enumerable.Range(16, 7).Select(i => (float)i), result[512..519]);
        Assert.Equal(511f, result[511]);
        Assert.Equal(519f, result[519]);
    }

    [Fact]
    public void Upload_of_the_wrong_size_names_the_tensor()
    {
        using var tensor = Device.CreateTensor("weights", new Shape(2, 3));
        var error = Assert.Throws<EngineException>(() => tensor.Upload<float>(new float[5]));
        Assert.Contains("'weights'", error.Message, StringComparison.Ordinal);
        Assert.Contains("20 bytes given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fill_writes_the_pattern()
    {
        using var tensor = Device.CreateTensor<float>("fill", new Shape(9), RandomFloats(9, 3));
        Device.Run(list => list.Fill(tensor, BitConverter.SingleToUInt32Bits(2.5f)));
        Assert.All(tensor.Download<float>(), v => Assert.Equal(2.5f, v));
    }
}
