namespace Engine.Video;

/// <summary>Where a source is in its life: shown in the HUD, the summary and the HTTP API.</summary>
public enum SourceState
{
    /// <summary>Opening, or waiting for a source that was not reachable at start.</summary>
    Connecting,

    /// <summary>Publishing frames.</summary>
    Live,

    /// <summary>Died and is being reopened with backoff.</summary>
    Reconnecting,

    /// <summary>Reached its end (a file) or gave up (reconnects exhausted); no more frames will come.</summary>
    Ended,
}
