namespace Engine.Tuning;

/// <summary>
/// The tuner's result for one shape: the variant to run (<see cref="Choice"/>), today's rule's
/// (<see cref="Default"/>, the first candidate), every candidate's median, the rounds timed and the
/// margin a candidate had to beat the default by.
/// </summary>
public sealed record TuningEntry(string Choice, string Default, IReadOnlyList<CandidateTiming> Candidates, int Rounds, double Margin);
