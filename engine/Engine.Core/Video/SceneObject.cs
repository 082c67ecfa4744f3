namespace Engine.Video;

/// <summary>
/// One shape of a still detection scene: centred at (<see cref="X"/>, <see cref="Y"/>) (fractions of the
/// frame), radius <see cref="Size"/> / 2 of the frame height (as <see cref="SceneEvent.Size"/>), turned
/// clockwise by <see cref="Angle"/> radians and blended over what is below it with <see cref="Opacity"/>.
/// </summary>
public sealed record SceneObject(ShapeKind Shape, uint Rgb, double X, double Y, double Size, double Angle, double Opacity);
