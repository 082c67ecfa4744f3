using System.CommandLine;
using System.Globalization;
using Engine.Video;

namespace Engine.Cli.Commands;

/// <summary>Source options shared by `engine live` and `engine sources`.</summary>
internal static class LiveOptionsCli
{
    public static readonly Option<string?> Size = new("--size") { Description = "Frame size WxH: the camera's capture size, or a scale applied to any source." };
    public static readonly Option<double?> Fps = new("--fps") { Description = "Camera frame rate (or the synthetic source's)." };
    public static readonly Option<string?> PixelFormat = new("--pixel-format") { Description = "Camera pixel format (e.g. mjpeg, yuyv422; see `engine sources`)." };
    public static readonly Option<bool> AsFastAsPossible = new("--as-fast-as-possible") { Description = "Read files as fast as they decode instead of at their frame rate." };
    public static readonly Option<bool> Loop = new("--loop") { Description = "Restart a file source at its end." };
    public static readonly Option<int?> MaxReconnects = new("--max-reconnects") { Description = "Give a live source up after N consecutive failed retries to open or reopen it, N + 1 failed attempts (default: retry forever)." };

    public static IEnumerable<Option> All => [Size, Fps, PixelFormat, AsFastAsPossible, Loop, MaxReconnects];

    /// <summary>Each source option with the key of a config file's stream that sets it there.</summary>
    public static IEnumerable<(Option Flag, string Key)> ConfigKeys =>
        [(Size, "size"), (Fps, "fps"), (PixelFormat, "pixel_format"), (AsFastAsPossible, "as_fast_as_possible"), (Loop, "loop"), (MaxReconnects, "max_reconnects")];

    public static SourceOptions Source(ParseResult result)
    {
        int? width = null, height = null;
        if (result.GetValue(Size) is { } size)
        {
            var parts = size.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h) || w < 16 || h < 16)
                throw new EngineException($"--size {size}: expected WxH, e.g. 640x480 (at least 16x16).");
            (width, height) = (w, h);
        }
        var maxReconnects = result.GetValue(MaxReconnects);
        if (maxReconnects < 0)
            throw new EngineException($"--max-reconnects {maxReconnects}: expected 0 or more.");
        return new SourceOptions
        {
            Width = width,
            Height = height,
            Fps = result.GetValue(Fps),
            PixelFormat = result.GetValue(PixelFormat),
            AsFastAsPossible = result.GetValue(AsFastAsPossible),
            Loop = result.GetValue(Loop),
            MaxReconnects = maxReconnects,
        };
    }
}
