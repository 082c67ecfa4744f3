namespace Engine.Contracts;

/// <summary>A network output read back to the host after a run.</summary>
public sealed record OutputTensor(IReadOnlyList<int> Shape, float[] Values);
