namespace Engine.Tuning;

/// <summary>
/// The tuner's measurement and rule. Candidates run alternately, one run each per round, the starting
/// candidate rotating and the order flipping every other round (<see cref="Order"/>: A B C, C B A, B C A,
/// A C B, C A B, B A C): the first of back-to-back runs tends to be slower (docs/bench-log.md
/// 2026-12-05), so no candidate, the default included, runs first more often than another, and load
/// on a shared machine lands on all of them alike. The default (the first candidate, today's rule) is kept
/// unless another candidate's median beats the default's by <see cref="DefaultMargin"/> or more and it
/// beat the default's run of the same round in at least <see cref="RoundWinShare"/> of the rounds; of
/// those the fastest median wins. On a CPU device (lavapipe) the candidate's median CPU time must also
/// beat the default's by the margin: the device's work is this process's threads, and on a shared
/// machine their CPU time follows the work while wall time follows the load (docs/ops.md, Comparing
/// two builds), so a pick must be faster in both latency and work. A tie or a noisy near-tie keeps
/// today's choice: on a small layer whose runs are mostly submission overhead a median alone picks noise.
/// A candidate that took more than <see cref="HopelessFactor"/> times the default's run in each of the
/// first <see cref="HopelessRounds"/> rounds runs no more rounds: it cannot win, and kernels built for
/// another kind of device (the shared-memory GEMM on lavapipe: 7-12x) would otherwise take most of the
/// tuning time.
/// </summary>
public static class Tuner
{
    /// <summary>How much faster (a share of the default's median) a candidate must be to replace it.</summary>
    public const double DefaultMargin = 0.05;

    /// <summary>Runs of each candidate (after one warm-up run each, which the timer's caller does).</summary>
    public const int DefaultRounds = 7;

    /// <summary>How many times the default's run a candidate's run must take, in each of the first <see cref="HopelessRounds"/>, to stop it.</summary>
    public const double HopelessFactor = 2.0;

    /// <summary>Rounds every candidate runs before a hopeless one is stopped.</summary>
    public const int HopelessRounds = 2;

    /// <summary>Times <paramref name="candidates"/> (the default first) with <paramref name="timer"/> and picks one.</summary>
    public static TuningEntry Tune(IReadOnlyList<string> candidates, ICandidateTimer timer, int rounds = DefaultRounds, double margin = DefaultMargin)
    {
        if (candidates.Count == 0)
            throw new EngineException("Tuning needs at least one candidate (the default).");
        if (rounds <= 0)
            throw new EngineException($"Tuning rounds must be positive, not {rounds}.");
        if (!(margin is >= 0 and < 1))
            throw new EngineException($"Tuning margin must be a fraction in [0, 1), not {margin}.");
        var samples = candidates.Select(_ => new List<double>()).ToArray();
        var cpu = candidates.Select(_ => new List<double>()).ToArray();
        var stopped = new bool[candidates.Count];
        for (var round = 0; round < rounds; round++)
        {
            foreach (var i in Order(candidates.Count, round).Where(i => !stopped[i]))
            {
                var run = timer.Run(i);
                samples[i].Add(Math.Round(run.Ms, 4));
                if (double.IsFinite(run.CpuMs))
                    cpu[i].Add(Math.Round(run.CpuMs, 4));
            }
            if (round == HopelessRounds - 1)
            {
                for (var i = 1; i < candidates.Count; i++)
                    stopped[i] = Enumerable.Range(0, HopelessRounds).All(r => samples[i][r] > HopelessFactor * samples[0][r]);
            }
        }
        var timings = candidates.Select((c, i) => cpu[i].Count == samples[i].Count
            ? new CandidateTiming(c, Statistics.Median(samples[i]), samples[i], Statistics.Median(cpu[i]), cpu[i])
            : new CandidateTiming(c, Statistics.Median(samples[i]), samples[i])).ToArray();
        return new TuningEntry(Choose(timings, margin), candidates[0], timings, rounds, margin);
    }

    /// <summary>A candidate must have beaten the default's run in this share of the rounds (and by the margin in median).</summary>
    public const double RoundWinShare = 0.75;

    /// <summary>
    /// The fastest candidate whose median is below (1 - <paramref name="margin"/>) of the default's
    /// (<paramref name="timings"/>[0]), who beat the default's run of the same round in at least
    /// <see cref="RoundWinShare"/> of the rounds and, where CPU times were measured, whose CPU median is
    /// below the same share of the default's; otherwise the default.
    /// </summary>
    public static string Choose(IReadOnlyList<CandidateTiming> timings, double margin)
    {
        var baseline = timings[0];
        bool WinsRounds(CandidateTiming t)
        {
            var rounds = Math.Min(t.RunsMs.Count, baseline.RunsMs.Count);
            var wins = Enumerable.Range(0, rounds).Count(r => t.RunsMs[r] < baseline.RunsMs[r]);
            return rounds > 0 && wins >= Math.Ceiling(RoundWinShare * rounds);
        }
        // Where both have CPU times (a CPU device), the work must drop by the margin too.
        bool LessWork(CandidateTiming t) =>
            !double.IsFinite(t.CpuMedianMs) || !double.IsFinite(baseline.CpuMedianMs) || t.CpuMedianMs < baseline.CpuMedianMs * (1 - margin);
        var best = timings.Skip(1)
            .Where(t => double.IsFinite(t.MedianMs) && t.MedianMs < baseline.MedianMs * (1 - margin) && WinsRounds(t) && LessWork(t))
            .MinBy(t => t.MedianMs);
        return best?.Variant ?? baseline.Variant;
    }

    /// <summary>
    /// The order candidates run in round <paramref name="round"/>: starting at candidate
    /// round / 2 (mod <paramref name="count"/>), forwards in even rounds and backwards in odd ones, so
    /// over the rounds each candidate starts a round about equally often.
    /// </summary>
    public static IEnumerable<int> Order(int count, int round)
    {
        var start = round / 2 % count;
        for (var k = 0; k < count; k++)
            yield return round % 2 == 0 ? (start + k) % count : ((start - 1 - k) % count + count) % count;
    }
}
