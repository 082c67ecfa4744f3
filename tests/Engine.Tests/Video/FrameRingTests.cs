using Engine.Video;

namespace Engine.Tests.Video;

public sealed class FrameRingTests
{
    [Fact]
    public void Take_returns_the_newest_frame_and_counts_the_dropped_ones()
    {
        var ring = new FrameRing(4, 4);
        for (var i = 0; i < 5; i++)
        {
            var f = ring.Rent();
            f.Pixels[0] = (byte)i;
            ring.Publish(f);
        }
        var frame = ring.Take(TimeSpan.FromSeconds(1));
        Assert.NotNull(frame);
        Assert.Equal(4, frame.Pixels[0]);
        Assert.Equal(4, frame.Number);
        Assert.Equal(4, ring.Dropped);
        Assert.Null(ring.Take(TimeSpan.FromMilliseconds(10)));
        ring.Release(frame);
    }

    [Fact]
    public void Frames_carry_monotonic_numbers_and_timestamps_and_the_ring_never_grows()
    {
        var ring = new FrameRing(2, 2, buffers: 3);
        var seen = new HashSet<Frame>();
        long lastNumber = -1, lastTicks = 0;
        for (var i = 0; i < 50; i++)
        {
            ring.Publish(ring.Rent());
            if (i % 3 == 0)
            {
                var f = ring.Take(TimeSpan.FromSeconds(1))!;
                Assert.True(f.Number > lastNumber && f.CaptureTicks >= lastTicks);
                (lastNumber, lastTicks) = (f.Number, f.CaptureTicks);
                seen.Add(f);
                ring.Release(f);
            }
        }
        Assert.True(seen.Count <= 3, $"{seen.Count} distinct buffers were used");
    }

    [Fact]
    public void Take_returns_null_once_the_source_completed_and_the_last_frame_was_taken()
    {
        var ring = new FrameRing(2, 2);
        ring.Publish(ring.Rent());
        ring.Complete();
        var last = ring.Take(TimeSpan.FromSeconds(1));
        Assert.NotNull(last);
        ring.Release(last);
        Assert.Null(ring.Take(TimeSpan.FromSeconds(1)));
        Assert.True(ring.IsCompleted);
    }
}
