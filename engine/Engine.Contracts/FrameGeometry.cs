namespace Engine.Contracts;

/// <summary>
/// A network input of one whole frame (API 1.1): neither cropped nor letterboxed, so a detector sees
/// everything and its boxes map straight back to the frame. A frame larger than the caps is shrunk,
/// aspect kept, until its long side is at most <see cref="MaxLongSide"/> and its short side at most
/// <see cref="MaxShortSide"/> (bilinear, as torchvision's resize); a smaller one passes at its own size,
/// so the network's own transform (e.g. a detector's resize to min_size) decides the rest.
/// </summary>
public sealed record FrameGeometry(int MaxLongSide, int MaxShortSide, Normalization Normalization);
