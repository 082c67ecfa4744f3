using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Engine.Video;

/// <summary>
/// Turns a --source string into a source: `synthetic[:SEED]`, `webcam` (first /dev/video*),
/// `webcam:/dev/videoN`, `file:PATH` (or a plain existing path), `rtsp://`, `http(s)://` (MJPEG, HLS)
/// and `udp://` URLs.
/// </summary>
public static class SourceFactory
{
    public static IFrameSource Open(string source, SourceOptions options, ILoggerFactory logging)
    {
        var logger = logging.CreateLogger("Engine.Video.Source");
        if (source == "synthetic" || source.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            var seed = source.Length > "synthetic:".Length && int.TryParse(source["synthetic:".Length..], CultureInfo.InvariantCulture, out var s) ? s : options.Seed;
            return new SyntheticSource(options with { Seed = seed });
        }
        return new FfmpegSource(Input(source, options), options, logger);
    }

    /// <summary>The ffmpeg input for a non-synthetic source string.</summary>
    public static FfmpegInput Input(string source, SourceOptions options)
    {
        if (source == "webcam" || source.StartsWith("webcam:", StringComparison.Ordinal))
        {
            string device;
            if (source == "webcam")
            {
                var devices = Cameras.Devices();
                if (devices.Count == 0)
                    throw Cameras.NoCamera("/dev/video*: no such device nodes");
                device = devices[0];
            }
            else
            {
                device = source["webcam:".Length..];
                if (!File.Exists(device))
                    throw Cameras.NoCamera($"{device}: it does not exist");
            }
            var args = new List<string> { "-f", "v4l2" };
            if (options.PixelFormat is { } format)
                args.AddRange(["-input_format", format]);
            if (options.Width is { } w && options.Height is { } h)
                args.AddRange(["-video_size", $"{w}x{h}"]);
            if (options.Fps is { } fps)
                args.AddRange(["-framerate", fps.ToString(CultureInfo.InvariantCulture)]);
            return new FfmpegInput($"webcam:{device}", args, device, IsFile: false);
        }
        if (source.StartsWith("rtsp://", StringComparison.Ordinal) || source.StartsWith("rtsps://", StringComparison.Ordinal))
            return new FfmpegInput(ShownName(source), ["-rtsp_transport", "tcp", "-timeout", Microseconds(options.OpenTimeout)], source, IsFile: false);
        if (source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal))
            return new FfmpegInput(ShownName(source), ["-rw_timeout", Microseconds(options.OpenTimeout)], source, IsFile: false);
        if (source.StartsWith("udp://", StringComparison.Ordinal))
            return new FfmpegInput(ShownName(source), ["-timeout", Microseconds(options.OpenTimeout)], source, IsFile: false);
        var path = source.StartsWith("file:", StringComparison.Ordinal) ? source["file:".Length..] : source;
        if (!File.Exists(path))
            throw new EngineException($"{source}: no such file. Sources: webcam, webcam:/dev/videoN, file:PATH, rtsp://..., http(s)://..., udp://..., synthetic.");
        return new FfmpegInput($"file:{path}", [], Path.GetFullPath(path), IsFile: true);
    }

    /// <summary>
    /// A source string as it may be shown (logs, HUD, stream ids, MQTT topics, the HTTP API): a URL's
    /// `user:password@` is removed, since cameras often carry their credentials in it.
    /// </summary>
    public static string ShownName(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? source.Replace(uri.UserInfo + "@", "", StringComparison.Ordinal)
            : source;

    private static string Microseconds(TimeSpan t) => ((long)t.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
}
