namespace Engine.Gpu;

/// <summary>The number of workgroups of a dispatch in x, y and z.</summary>
public readonly record struct Groups(uint X, uint Y = 1, uint Z = 1)
{
    /// <summary>Enough groups of <paramref name="local"/> invocations to cover <paramref name="count"/> items.</summary>
    public static uint Cover(long count, long local) => (uint)((count + local - 1) / local);

    public override string ToString() => $"{X}x{Y}x{Z}";
}
