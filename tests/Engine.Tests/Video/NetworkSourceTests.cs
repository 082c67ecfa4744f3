using System.Diagnostics;
using Engine.Video;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Video;

/// <summary>
/// Network sources against real streams on the loopback (<see cref="LoopbackStream"/>): down at start,
/// then up, killed mid-stream, restarted. Every wait is for an event (a frame, a logged retry or state
/// change); the guards only end a hang.
/// </summary>
public sealed class NetworkSourceTests
{
    private const int W = 96, H = 64, Fps = 25;
    private static readonly TimeSpan _hangGuard = TimeSpan.FromSeconds(90);

    /// <summary>Size and rate given: the source opens at once and connects in the background.</summary>
    private static SourceOptions Sized(TimeSpan openTimeout) => new()
    {
        Width = W,
        Height = H,
        Fps = Fps,
        OpenTimeout = openTimeout,
        ReconnectBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250)],
    };

    /// <summary>A logged wait before another attempt to open the source (while connecting or reconnecting).</summary>
    private static bool IsRetry(LogEntry e) => e.Level == LogLevel.Warning && e.Values.ContainsKey("Delay");

    private static bool Entered(LogEntry e, SourceState state) => e.Values.TryGetValue("State", out var s) && Equals(s, state);

    private static (SourceState From, SourceState To)[] Transitions(LogRecorder log) =>
        [.. log.Entries.Where(e => e.Values.ContainsKey("From")).Select(e => ((SourceState)e.Values["From"]!, (SourceState)e.Values["State"]!))];

    /// <summary>
    /// Takes <paramref name="count"/> frames numbered <paramref name="from"/> or later as the host would
    /// (older ones still in the ring are released unseen), with the colour of each one's centre pixel.
    /// </summary>
    private static List<(long Number, byte R, byte G, byte B)> Take(IFrameSource source, int count, long from = 0)
    {
        var taken = new List<(long, byte, byte, byte)>();
        var clock = Stopwatch.StartNew();
        var centre = (H / 2 * W + W / 2) * 3;
        while (taken.Count < count)
        {
            Assert.True(clock.Elapsed < _hangGuard, $"{taken.Count} of {count} frames within {_hangGuard.TotalSeconds:0} s (state {source.State}, last failure {source.LastFailure})");
            if (source.Frames.Take(TimeSpan.FromMilliseconds(250)) is not { } frame)
            {
                Assert.False(source.Frames.IsCompleted, $"the source ended: {source.LastFailure}");
                continue;
            }
            if (frame.Number >= from)
                taken.Add((frame.Number, frame.Pixels[centre], frame.Pixels[centre + 1], frame.Pixels[centre + 2]));
            source.Frames.Release(frame);
        }
        return taken;
    }

    // x264 in 4:2:0 and back: a solid primary keeps its channel above 200 and the others below 60.
    private static void AssertColour(IEnumerable<(long Number, byte R, byte G, byte B)> frames, string colour) =>
        Assert.All(frames, f => Assert.True(colour switch
        {
            "blue" => f.B > 200 && f.R < 60 && f.G < 60,
            _ => f.R > 200 && f.G < 60 && f.B < 60,
        }, $"frame {f.Number} is ({f.R}, {f.G}, {f.B}), not {colour}"));

    /// <summary>
    /// The scenario of both transports: down at start (the source keeps trying, connecting), up (blue
    /// frames, live), killed (reconnecting, nothing published while it retries), back with another
    /// picture (red frames numbered after the blue ones, live, one reconnect).
    /// </summary>
    private static void DownUpDeadBack(LoopbackStream stream, SourceOptions options)
    {
        var log = new LogRecorder();
        using var source = SourceFactory.Open(stream.Url, options, log);
        Assert.Equal(SourceState.Connecting, source.State);
        source.Start();
        log.WaitUntil(e => e.Count(IsRetry) >= 2, _hangGuard, "retries while the stream is down at start");
        Assert.Equal(SourceState.Connecting, source.State);
        Assert.Equal(0, source.Frames.Published);
        Assert.NotNull(source.LastFailure);

        stream.Start("blue");
        var before = Take(source, 10);
        AssertColour(before, "blue");
        Assert.Equal(SourceState.Live, source.State);
        Assert.Equal(0, source.Reconnects);

        stream.Kill();
        var died = log.WaitUntil(e => e.Any(x => Entered(x, SourceState.Reconnecting)), _hangGuard, "reconnecting after the stream died").Count(IsRetry);
        var publishedBeforeDrop = source.Frames.Published;
        Assert.True(publishedBeforeDrop >= before.Count, $"{publishedBeforeDrop} frames published before the drop");
        log.WaitUntil(e => e.Count(IsRetry) >= died + 2, _hangGuard, "retries while the stream is down");
        Assert.Equal(publishedBeforeDrop, source.Frames.Published);
        Assert.Equal(SourceState.Reconnecting, source.State);

        stream.Start("red");
        var after = Take(source, 10, from: publishedBeforeDrop);
        AssertColour(after, "red");
        Assert.Equal(SourceState.Live, source.State);
        Assert.Equal(1, source.Reconnects);
        Assert.Equal([(SourceState.Connecting, SourceState.Live), (SourceState.Live, SourceState.Reconnecting), (SourceState.Reconnecting, SourceState.Live)],
            Transitions(log));
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void An_http_source_down_at_start_connects_when_the_server_comes_up_and_reconnects_when_it_dies_and_returns()
    {
        using var stream = LoopbackStream.Http(W, H, Fps);
        // A killed server closes the connection: the source sees the end at once, whatever its timeout.
        DownUpDeadBack(stream, Sized(openTimeout: TimeSpan.FromSeconds(10)));
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_udp_source_waits_for_its_sender_and_reconnects_after_the_sender_falls_silent_and_returns()
    {
        using var stream = LoopbackStream.Udp(W, H, Fps);
        // UDP has no connection: the source learns the sender is gone from a silence of the open timeout.
        DownUpDeadBack(stream, Sized(openTimeout: TimeSpan.FromSeconds(2)));
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_source_of_unknown_size_waits_at_open_until_the_stream_answers_and_takes_its_size_and_rate()
    {
        using var stream = LoopbackStream.Http(W, H, Fps);
        var log = new LogRecorder();
        // Bounded retries, so an assertion failing before the stream comes up leaves no probe loop behind.
        var options = Sized(TimeSpan.FromSeconds(10)) with { Width = null, Height = null, Fps = null, MaxReconnects = 1000 };
        var open = Task.Run(() => SourceFactory.Open(stream.Url, options, log));
        var retries = log.WaitUntil(e => e.Count(IsRetry) >= 2, _hangGuard, "retries at open while the stream is down").Where(IsRetry).ToArray();
        Assert.False(open.IsCompleted);
        Assert.All(retries, r => Assert.Contains("give --size WxH and --fps N", r.Message, StringComparison.Ordinal));

        stream.Start("blue");
        Assert.True(open.Wait(_hangGuard), "the open did not return after the stream came up");
        using var source = open.Result;
        Assert.Equal((W, H), (source.Width, source.Height));
        Assert.Equal(Fps, source.Fps, 3);
        source.Start();
        AssertColour(Take(source, 5), "blue");
        Assert.Equal(SourceState.Live, source.State);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void With_max_reconnects_a_source_that_never_answers_gives_up_and_ends()
    {
        using var stream = LoopbackStream.Http(W, H, Fps);
        var log = new LogRecorder();
        using var source = SourceFactory.Open(stream.Url, Sized(TimeSpan.FromSeconds(10)) with { MaxReconnects = 2 }, log);
        source.Start();
        log.WaitUntil(e => e.Any(x => Entered(x, SourceState.Ended)), _hangGuard, "the source ending");
        Assert.Equal(SourceState.Ended, source.State);
        Assert.True(source.Frames.IsCompleted);
        Assert.Null(source.Frames.Take(TimeSpan.Zero));
        // Three failed attempts: the first and two retries.
        Assert.Equal(2, log.Entries.Count(IsRetry));
        Assert.Contains("Connection refused", source.LastFailure, StringComparison.Ordinal);
    }
}
