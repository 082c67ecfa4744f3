namespace Engine.Tuning;

/// <summary>
/// One candidate's run times (milliseconds, one per round, in round order) and their median, and on a
/// CPU device the CPU time of the same runs and its median (NaN and empty elsewhere); kept in the cache
/// so a user can see why a variant was picked.
/// </summary>
public sealed record CandidateTiming(string Variant, double MedianMs, IReadOnlyList<double> RunsMs, double CpuMedianMs = double.NaN,
    IReadOnlyList<double>? CpuRunsMs = null);
