namespace Engine.Ops;

/// <summary>A size along the three spatio-temporal axes (T, H, W): kernels, strides, paddings, extents.</summary>
public readonly record struct Size3(int T, int H, int W)
{
    /// <summary>The same value on all three axes.</summary>
    public static Size3 Cube(int value) => new(value, value, value);

    /// <summary>A 2D size (T = 1 for kernels and strides).</summary>
    public static Size3 Planar(int h, int w, int t = 1) => new(t, h, w);

    public long Volume => (long)T * H * W;

    public override string ToString() => $"{T}x{H}x{W}";
}
