using Engine.Contracts;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// One stream of a running host as the outside world sees it (HTTP API, dashboard, metrics): a
/// snapshot taken at one moment, immutable, safe to hand to any thread. Rates are over the last
/// second; latency percentiles over a rolling window of recent predictions.
/// </summary>
public sealed record StreamStatus(
    string Id,
    string Source,
    SourceState State,
    int Reconnects,
    string? LastFailure,
    int Width,
    int Height,
    double PresentFps,
    long Presented,
    long Dropped,
    double InferenceFps,
    double LatencyP50Ms,
    double LatencyP95Ms,
    PredictionRecord? LastPrediction,
    IReadOnlyList<StreamPluginStatus> Plugins);

/// <summary>A plugin of one stream: whether it runs (or why it was disabled), its declared parameters and their current values.</summary>
public sealed record StreamPluginStatus(string Id, bool Enabled, string? Error, IReadOnlyList<ParameterSpec> Parameters,
    IReadOnlyDictionary<string, string> Values);

/// <summary>
/// What a running host offers the outside world (the HTTP API and dashboard, metrics). Every member is
/// safe to call from any thread while the host runs; none blocks a stream's frame loop for long.
/// </summary>
public interface ILiveHostView
{
    /// <summary>Every stream's status, in the host's stream order.</summary>
    IReadOnlyList<StreamStatus> Streams();

    /// <summary>
    /// The stream's latest presented frame with its overlay (RGBA8, rows top to bottom), or null before
    /// the first frame or for an unknown stream. Asking is what makes a stream download its frames: a
    /// stream nobody watches costs no download.
    /// </summary>
    StreamView? LatestView(string stream);

    /// <summary>
    /// Validates <paramref name="value"/> against the plugin's declared spec and, when valid, applies it
    /// to that stream's plugin at the stream's next frame boundary (the plugin is configured again).
    /// Returns null on success, or the reason it was refused (unknown stream, plugin or parameter, or
    /// the spec's validation message).
    /// </summary>
    string? SetParameter(string stream, string plugin, string name, string value);
}

/// <summary>A stream's presented frame with its overlay: RGBA8 pixels, rows top to bottom.</summary>
public sealed record StreamView(long Frame, int Width, int Height, ReadOnlyMemory<byte> Rgba);
