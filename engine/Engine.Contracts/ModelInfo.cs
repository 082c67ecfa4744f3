namespace Engine.Contracts;

/// <summary>
/// What the host read from a weight package's metadata (docs/weight-package.md; the plugin-facing
/// projection of the engine's package metadata record): its path, labels,
/// clip geometry and normalisation when the package states them (null otherwise), the architecture
/// JSON and the number of non-local blocks.
/// </summary>
public sealed record ModelInfo(string Path, IReadOnlyList<string> Labels, int? Frames, int? SamplingRate, int? ShortSide, int? Crop,
    Normalization? Normalization, string ArchitectureJson, int NonLocalBlocks);
