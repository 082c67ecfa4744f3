namespace Engine.Contracts;

/// <summary>
/// A line segment from (X0, Y0) to (X1, Y1) in fractions of the frame (API 1.2), drawn in colour
/// <see cref="Rgb"/> (0xRRGGBB, opaque; a non-zero top byte sets the opacity) <see cref="Width"/>
/// pixels wide at the overlay's base scale, with round ends: a segment whose ends coincide is a dot.
/// Keypoint skeletons are drawn with these.
/// </summary>
public sealed record LineF(double X0, double Y0, double X1, double Y1, uint Rgb, int Width = 2);
