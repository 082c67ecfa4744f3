namespace Engine.Contracts;

/// <summary>A tensor of a network being built: an opaque id the host resolves, and its shape.</summary>
public sealed record NetworkTensor(int Id, IReadOnlyList<int> Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    public override string ToString() => $"#{Id} ({string.Join(", ", Shape)})";
}
