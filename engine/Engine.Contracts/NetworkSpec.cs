namespace Engine.Contracts;

/// <summary>
/// One network a plugin runs: its input, the display metadata it produces, and its cadence
/// (run every <see cref="EveryFrames"/> captured frames, at most one run in flight; 0 = as soon as
/// the previous run has finished and a new frame has arrived).
/// </summary>
public sealed record NetworkSpec(string Id, NetworkInput Input, IReadOnlyList<OutputKind> Outputs, int EveryFrames = 0);
