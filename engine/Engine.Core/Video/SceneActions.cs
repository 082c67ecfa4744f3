namespace Engine.Video;

/// <summary>Labels of <see cref="SceneAction"/>, index = class id.</summary>
public static class SceneActions
{
    public static IReadOnlyList<string> Labels { get; } =
    [
        "moving left", "moving right", "moving up", "moving down", "rotating clockwise",
        "rotating counterclockwise", "growing", "shrinking", "appearing", "disappearing",
    ];

    public static string Label(this SceneAction action) => Labels[(int)action];
}
