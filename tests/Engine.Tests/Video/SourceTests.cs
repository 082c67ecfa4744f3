using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Video;

public sealed class SourceTests
{
    [Theory]
    [InlineData("rtsp://admin:pw@cam.local:554/stream1", "rtsp://cam.local:554/stream1")]
    [InlineData("http://user@10.0.0.5/mjpeg", "http://10.0.0.5/mjpeg")]
    [InlineData("rtsp://cam/1", "rtsp://cam/1")]
    [InlineData("synthetic:1", "synthetic:1")]
    public void A_sources_shown_name_leaves_out_its_credentials_and_ffmpeg_still_gets_them(string source, string shown)
    {
        Assert.Equal(shown, SourceFactory.ShownName(source));
        if (source.Contains("://", StringComparison.Ordinal))
        {
            var input = SourceFactory.Input(source, new SourceOptions());
            Assert.Equal(shown, input.Name);
            Assert.Equal(source, input.Url);
        }
    }

    [Fact]
    public void A_missing_camera_is_a_clear_error_naming_what_was_tried_and_the_alternatives()
    {
        var e = Assert.Throws<EngineException>(() => SourceFactory.Input("webcam:/dev/video97", new SourceOptions()));
        Assert.Contains("no camera found", e.Message);
        Assert.Contains("/dev/video97", e.Message);
        Assert.Contains("--source synthetic", e.Message);
        Assert.Contains("engine sources", e.Message);
    }

    [Fact]
    public void The_default_webcam_without_any_camera_lists_what_was_tried()
    {
        if (Cameras.Devices().Count > 0)
            return; // this machine has a camera: the default source opens it
        var e = Assert.Throws<EngineException>(() => SourceFactory.Input("webcam", new SourceOptions()));
        Assert.Contains("/dev/video*", e.Message);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void An_unreachable_url_of_unknown_size_with_no_retries_allowed_is_a_clear_error_naming_the_url()
    {
        var options = new SourceOptions { OpenTimeout = TimeSpan.FromSeconds(5), MaxReconnects = 0 };
        // Port 9 on the loopback: nothing listens, so the connection is refused at once.
        var e = Assert.Throws<EngineException>(() => SourceFactory.Open("rtsp://127.0.0.1:9/stream", options, NullLoggerFactory.Instance));
        Assert.Contains("rtsp://127.0.0.1:9/stream", e.Message);
        Assert.Contains("cannot open", e.Message);
    }

    [Fact]
    public void By_default_a_live_source_is_retried_forever_with_a_backoff_capped_at_five_seconds()
    {
        var options = new SourceOptions();
        Assert.Null(options.MaxReconnects);
        Assert.Equal([0.25, 0.5, 1, 2, 5], options.ReconnectBackoff.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void A_missing_file_is_a_clear_error_listing_the_source_kinds()
    {
        var e = Assert.Throws<EngineException>(() => SourceFactory.Input("file:/nonexistent/clip.mp4", new SourceOptions()));
        Assert.Contains("no such file", e.Message);
        Assert.Contains("synthetic", e.Message);
    }

    [ToolFact("ffmpeg", "ffprobe")]
    public void A_file_source_delivers_its_frames_at_the_requested_size_and_completes()
    {
        var path = TestMedia.SolidColour("blue", 64, 48, 1);
        using var source = SourceFactory.Open($"file:{path}", new SourceOptions { AsFastAsPossible = true, Width = 32, Height = 24 }, NullLoggerFactory.Instance);
        Assert.Equal((32, 24), (source.Width, source.Height));
        Assert.Equal(30, source.Fps, 3);
        source.Start();
        var taken = 0;
        while (source.Frames.Take(TimeSpan.FromSeconds(10)) is { } frame)
        {
            Assert.True(frame.Pixels[2] > 200 && frame.Pixels[0] < 60, $"pixel 0 is ({frame.Pixels[0]}, {frame.Pixels[1]}, {frame.Pixels[2]}), not blue");
            taken++;
            source.Frames.Release(frame);
        }
        Assert.True(taken > 0);
        Assert.Equal(30, source.Frames.Published);
        Assert.Equal(0, source.Reconnects);
    }
}
