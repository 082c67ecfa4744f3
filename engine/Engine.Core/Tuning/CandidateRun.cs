namespace Engine.Tuning;

/// <summary>
/// One run of a candidate: milliseconds from submit to completion, and on a CPU device the CPU
/// milliseconds of the process's threads during it (the device's workers are those threads; NaN
/// where not measured).
/// </summary>
public readonly record struct CandidateRun(double Ms, double CpuMs = double.NaN);
