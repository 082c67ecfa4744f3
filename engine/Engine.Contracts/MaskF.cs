namespace Engine.Contracts;

/// <summary>A soft mask (Width x Height values in 0..1, row-major) drawn translucent over <see cref="Region"/> in colour <see cref="Rgb"/> (0xRRGGBB).</summary>
public sealed record MaskF(RegionF Region, int Width, int Height, float[] Values, uint Rgb);
