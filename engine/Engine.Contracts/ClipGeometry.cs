namespace Engine.Contracts;

/// <summary>
/// The clip a plugin network consumes: <see cref="Frames"/> frames taken every <see cref="SamplingRate"/>-th
/// captured frame, each resized so its short side is <see cref="ShortSide"/> and cropped to
/// <see cref="Crop"/> x <see cref="Crop"/>. <see cref="Clips"/> windows (each <see cref="Frames"/> samples,
/// the newest ending at the newest frame, earlier ones <see cref="ClipStride"/> samples apart) times
/// <see cref="Crops"/> spatial crops (1 = centre; 3 = left/centre/right or top/centre/bottom along the long
/// side) form the batch: N = Clips * Crops, clip-major. The host delivers it channels-last as
/// (N, T, H, W, 4) with channel 3 zero.
/// </summary>
public sealed record ClipGeometry(int Frames, int SamplingRate, int ShortSide, int Crop, Normalization Normalization,
    int Clips = 1, int Crops = 1, int ClipStride = 0)
{
    public int Batch => Clips * Crops;

    /// <summary>Sampled frames the ring must keep for all windows.</summary>
    public int RingLength => Frames + (Clips - 1) * ClipStride;
}
