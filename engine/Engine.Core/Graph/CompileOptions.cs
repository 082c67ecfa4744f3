namespace Engine.Graph;

/// <summary>How a graph compiles: profiling (a timestamp after every dispatch), tensors kept readable, arena size cap, Winograd.</summary>
public sealed record CompileOptions
{
    /// <summary>Record timestamps so <see cref="CompiledGraph.Profile"/> can report per-node GPU time.</summary>
    public bool Profile { get; init; }

    /// <summary>Intermediate tensors to keep alive (not aliased) so they can be read after a run, e.g. for --dump.</summary>
    public IReadOnlyCollection<string> Keep { get; init; } = [];

    /// <summary>Largest arena buffer; more arenas are opened beyond it. Bindings are views, so this does not bound a tensor.</summary>
    public long ArenaLimit { get; init; } = 1L << 30;

    /// <summary>
    /// Run eligible 1x3x3 convolutions as Winograd (<see cref="Ops.WinogradConv"/>) where their scratch
    /// fits; false runs them with the direct kernel (the baseline of `engine bench --compare-direct`; their
    /// scratch is still reserved).
    /// </summary>
    public bool Winograd { get; init; } = true;
}
