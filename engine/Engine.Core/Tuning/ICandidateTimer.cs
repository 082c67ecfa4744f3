namespace Engine.Tuning;

/// <summary>
/// Runs one candidate once and says how long it took. The tuner decides from these numbers alone, so
/// its rule is tested with scripted timings and never with the machine's speed.
/// </summary>
public interface ICandidateTimer
{
    CandidateRun Run(int candidate);
}
