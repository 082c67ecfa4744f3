namespace Engine.Video;

/// <summary>
/// Where frames come from: a reader thread (an ffmpeg child's pipe, or the synthetic scene) that
/// publishes RGB24 frames of a fixed size into <see cref="Frames"/>. Started once; disposing stops it.
/// <see cref="State"/>, <see cref="Reconnects"/> and <see cref="LastFailure"/> are written by the
/// reader thread and may be read from any thread.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>What the user asked for, e.g. "file:clip.mp4" or "webcam:/dev/video0".</summary>
    string Name { get; }

    int Width { get; }

    int Height { get; }

    /// <summary>The source's nominal frame rate (frames per second).</summary>
    double Fps { get; }

    FrameRing Frames { get; }

    /// <summary>Where the source is in its life (connecting, live, reconnecting, ended).</summary>
    SourceState State { get; }

    /// <summary>Times the source died and came back (published frames again).</summary>
    int Reconnects { get; }

    /// <summary>Why the source last died (null if it never did).</summary>
    string? LastFailure { get; }

    void Start();
}
