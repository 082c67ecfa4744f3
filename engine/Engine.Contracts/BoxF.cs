namespace Engine.Contracts;

/// <summary>A detected box in fractions of the frame, with its label and score.</summary>
public sealed record BoxF(RegionF Region, string Label, double Score);
