using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

public sealed class ChannelSoftmaxTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Theory]
    [InlineData(37, 1)]
    [InlineData(5, 7)]
    [InlineData(3, 400)]
    [InlineData(2, 1001)]
    public void Channel_softmax_matches_cpu_and_zeroes_the_padded_channels(int rows, int channels)
    {
        var cp = ChannelsLast.Padded(channels);
        var logits = RandomFloats(rows * cp, rows + channels, 12);
        using var x = Device.CreateTensor<float>("x", new Shape(rows, cp), logits);
        using var y = Device.CreateTensor("y", new Shape(rows, cp));
        var op = new ChannelSoftmax(Device, x, y, channels);
        Device.Run(op.Record);
        var result = y.Download<float>();
        for (var r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * cp, channels).ToArray();
            var max = row.Max();
            var sum = row.Sum(v => Math.Exp(v - max));
            for (var c = 0; c < cp; c++)
            {
                var expected = c < channels ? Math.Exp(row[c] - max) / sum : 0.0;
                Assert.True(Math.Abs(expected - result[r * cp + c]) <= 1e-6, $"row {r} channel {c}: {result[r * cp + c]} != {expected}");
            }
        }
    }
}
