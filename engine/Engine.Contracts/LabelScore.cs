namespace Engine.Contracts;

public sealed record LabelScore(string Label, double Score);
