using Engine.Gpu;

namespace Engine.Host;

/// <summary>
/// A presented frame as presenters receive it: the overlay image on the display device (width x
/// height words, bytes B, G, R, A). The window copies it on the GPU; a presenter that needs the
/// pixels on the host (the recorder, snapshots) calls <see cref="Download"/>, which reads them back
/// once per frame however many presenters ask, and waits for the frame's drawing to finish.
/// </summary>
public sealed class OverlayImage(Tensor pixels, int width, int height)
{
    private byte[]? _host;

    public Tensor Pixels { get; } = pixels;

    public int Width { get; } = width;

    public int Height { get; } = height;

    public ReadOnlySpan<byte> Download() => _host ??= Pixels.Download<byte>();
}
