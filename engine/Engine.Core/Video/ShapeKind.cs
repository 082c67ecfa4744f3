namespace Engine.Video;

public enum ShapeKind
{
    Square,
    Triangle,
    Circle,
    Bar,
}
