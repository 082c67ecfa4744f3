namespace Engine.Video;

/// <summary>
/// One captured RGB24 frame in a buffer owned by a <see cref="FrameRing"/>: its number in the source's
/// sequence (monotonic across reconnects), the monotonic time it arrived (<see cref="System.Diagnostics.Stopwatch"/>
/// ticks) and, for the synthetic source, its ground-truth label.
/// </summary>
public sealed class Frame(int width, int height)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public byte[] Pixels { get; } = new byte[width * height * 3];

    public long Number { get; internal set; }

    public long CaptureTicks { get; internal set; }

    public string? Label { get; internal set; }
}
