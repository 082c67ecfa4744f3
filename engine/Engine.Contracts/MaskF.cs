namespace Engine.Contracts;

/// <summary>
/// A soft mask (Width x Height values in 0..1, row-major) drawn translucent over <see cref="Region"/> in
/// colour <see cref="Rgb"/> (0xRRGGBB). Since API 1.1 a non-zero top byte (0xAARRGGBB) sets the opacity
/// where the value is 1; without one it is 0x99 (60%).
/// </summary>
public sealed record MaskF(RegionF Region, int Width, int Height, float[] Values, uint Rgb);
