namespace Engine.Contracts;

/// <summary>
/// What a network consumes: a clip of the given geometry (single centre-cropped frames are clips with
/// Frames = 1), or (API 1.1) one whole frame, <see cref="Frame"/>. The host delivers either as
/// (N, T, H, W, 4), a whole frame as (1, 1, H, W, 4) at the size <see cref="FrameGeometry"/> gives.
/// </summary>
public sealed record NetworkInput(ClipGeometry Clip)
{
    /// <summary>One whole frame: <see cref="Clip"/> is then one sample of every frame, without resize or crop of its own.</summary>
    public NetworkInput(FrameGeometry frame)
        : this(new ClipGeometry(1, 1, 0, 0, frame.Normalization)) => Frame = frame;

    /// <summary>Set for whole-frame inputs (null for clips).</summary>
    public FrameGeometry? Frame { get; }
}
