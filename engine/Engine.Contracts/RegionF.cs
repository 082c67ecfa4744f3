namespace Engine.Contracts;

/// <summary>A rectangle in fractions of the frame: (0, 0) top left, (1, 1) bottom right.</summary>
public readonly record struct RegionF(double X0, double Y0, double X1, double Y1)
{
    public static RegionF Full { get; } = new(0, 0, 1, 1);
}
