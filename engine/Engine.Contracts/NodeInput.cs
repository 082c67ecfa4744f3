namespace Engine.Contracts;

/// <summary>What a node consumes: a clip of the given geometry (single frames are clips with Frames = 1).</summary>
public sealed record NodeInput(ClipGeometry Clip);
