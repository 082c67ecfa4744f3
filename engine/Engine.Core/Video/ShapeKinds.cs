namespace Engine.Video;

/// <summary>Labels of <see cref="ShapeKind"/>, index = class id (the demo detector's classes, after background).</summary>
public static class ShapeKinds
{
    public static IReadOnlyList<string> Labels { get; } = ["square", "triangle", "circle", "bar"];

    public static string Label(this ShapeKind shape) => Labels[(int)shape];
}
