namespace Engine.Contracts;

/// <summary>A heat map (Width x Height values, row-major; drawn normalised to its maximum) over <see cref="Region"/>.</summary>
public sealed record HeatMap(RegionF Region, int Width, int Height, float[] Values);
