namespace Engine.Video;

/// <summary>
/// How to open a source. Width/height/fps/pixel format are requests (a camera's capture mode, or a
/// scale applied by ffmpeg); <see cref="AsFastAsPossible"/> reads files without real-time pacing;
/// <see cref="Loop"/> restarts files at their end. A value: log it, compare it.
/// </summary>
public sealed record SourceOptions
{
    public int? Width { get; init; }

    public int? Height { get; init; }

    public double? Fps { get; init; }

    /// <summary>Camera pixel format (v4l2 `-input_format`, e.g. mjpeg or yuyv422).</summary>
    public string? PixelFormat { get; init; }

    public bool AsFastAsPossible { get; init; }

    public bool Loop { get; init; }

    /// <summary>Timeline seed of the synthetic source.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long opening (probing) a source may take before it counts as unreachable.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Delays between consecutive failed attempts to (re)open a live source; the last one repeats, so the wait is capped at 5 s.</summary>
    public IReadOnlyList<TimeSpan> ReconnectBackoff { get; init; } =
        [TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    /// <summary>
    /// Consecutive failed retries after which a source gives up and ends, N + 1 failed attempts (null, the default: a live
    /// source is retried forever, as a camera or a stream server that restarts comes back).
    /// </summary>
    public int? MaxReconnects { get; init; }
}
