namespace Engine.Contracts;

/// <summary>The kinds of display metadata a network can produce.</summary>
public enum OutputKind
{
    Scores,
    Boxes,
    Masks,
    HeatMap,
    Lines,
}
