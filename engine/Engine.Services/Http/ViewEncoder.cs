using System.Collections.Concurrent;
using Engine.Host;

namespace Engine.Services.Http;

/// <summary>
/// Each stream's latest view as PNG (the engine's PngWriter; no JPEG encoder in the framework, and
/// PNG keeps the overlay's text and box edges exact). The last encoding per stream is kept, so any
/// number of dashboards watching one stream cost one encoding per new frame.
/// </summary>
internal sealed class ViewEncoder(ILiveHostView view)
{
    private readonly ConcurrentDictionary<string, EncodedView> _latest = new(StringComparer.Ordinal);

    /// <summary>The stream's latest view, or null before its first frame or for an unknown stream.</summary>
    public EncodedView? Latest(string stream)
    {
        if (view.LatestView(stream) is not { } frame)
            return null;
        if (_latest.TryGetValue(stream, out var cached) && cached.Frame == frame.Frame)
            return cached;
        using var png = new MemoryStream();
        PngWriter.WriteRgba(png, frame.Rgba.Span, frame.Width, frame.Height);
        var encoded = new EncodedView(frame.Frame, png.ToArray());
        _latest[stream] = encoded;
        return encoded;
    }
}
