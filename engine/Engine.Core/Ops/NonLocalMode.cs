namespace Engine.Ops;

/// <summary>Which positions a query attends to (temporal groups are <see cref="NonLocalOptions.Group"/>).</summary>
public enum NonLocalMode
{
    /// <summary><c>spacetime</c>: every position of the clip.</summary>
    SpaceTime,

    /// <summary><c>space</c>: the positions of the same frame.</summary>
    Space,

    /// <summary><c>time</c>: the same spatial position in every frame.</summary>
    Time,
}
