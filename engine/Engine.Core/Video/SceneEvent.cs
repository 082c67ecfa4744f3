namespace Engine.Video;

/// <summary>
/// One scripted action: from frame <see cref="Start"/> for <see cref="Frames"/> frames, a shape of
/// size <see cref="Size"/> (fraction of the frame height) centred at (<see cref="X"/>, <see cref="Y"/>)
/// (fractions of the frame) performs <see cref="Action"/>.
/// </summary>
public sealed record SceneEvent(int Start, int Frames, SceneAction Action, ShapeKind Shape, uint Rgb, double X, double Y, double Size)
{
    public int End => Start + Frames;
}
