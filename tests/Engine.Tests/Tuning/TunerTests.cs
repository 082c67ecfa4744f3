using Engine.Tuning;

namespace Engine.Tests.Tuning;

/// <summary>The tuner's rule on scripted timings: nothing here depends on the machine's speed.</summary>
public sealed class TunerTests
{
    /// <summary>Returns each candidate's scripted times in turn and records the order candidates ran in.</summary>
    private sealed class ScriptedTimer(params double[][] times) : ICandidateTimer
    {
        private readonly int[] _next = new int[times.Length];

        public List<int> Order { get; } = [];

        /// <summary>CPU times per candidate (null: not measured, as on a GPU).</summary>
        public double[][]? Cpu { get; init; }

        public CandidateRun Run(int candidate)
        {
            Order.Add(candidate);
            var i = _next[candidate]++;
            return new CandidateRun(times[candidate][i], Cpu is null ? double.NaN : Cpu[candidate][i]);
        }
    }

    private static readonly string[] _candidates = ["direct m16 n16", "direct m8 n8", "winograd f4"];

    [Fact]
    public void The_default_stays_when_no_candidate_beats_it_by_the_margin()
    {
        // 4% faster in every round: inside the 5% margin.
        var timer = new ScriptedTimer([10, 10, 10, 10], [9.6, 9.6, 9.6, 9.6], [11, 11, 11, 11]);
        var entry = Tuner.Tune(_candidates, timer, rounds: 4, margin: 0.05);
        Assert.Equal("direct m16 n16", entry.Choice);
        Assert.Equal("direct m16 n16", entry.Default);
        Assert.Equal([10, 9.6, 11], entry.Candidates.Select(c => c.MedianMs));
    }

    [Fact]
    public void The_fastest_candidate_that_beats_the_default_by_the_margin_in_most_rounds_is_picked()
    {
        var timer = new ScriptedTimer([10, 10, 10, 10], [9, 9, 9, 9], [7, 7.5, 7, 12]);
        var entry = Tuner.Tune(_candidates, timer, rounds: 4, margin: 0.05);
        Assert.Equal("winograd f4", entry.Choice);
        Assert.Equal([7, 7.5, 7, 12], entry.Candidates[2].RunsMs);
    }

    [Fact]
    public void A_candidate_with_a_better_median_that_lost_too_many_rounds_does_not_replace_the_default()
    {
        // Median 8.5 against 10 (15% faster, past the margin), but faster than the default's run of the
        // same round in only 2 of 4 rounds: the rounds rule, not the median, keeps the default.
        var timer = new ScriptedTimer([10, 10, 10, 10], [5, 5, 12, 12], [12, 12, 12, 12]);
        var entry = Tuner.Tune(_candidates, timer, rounds: 4, margin: 0.05);
        Assert.Equal(8.5, entry.Candidates[1].MedianMs);
        Assert.Equal("direct m16 n16", entry.Choice);
    }

    [Fact]
    public void On_a_cpu_device_a_candidate_faster_in_wall_time_but_not_in_cpu_time_does_not_replace_the_default()
    {
        // Wall time 30% lower in every round (the machine's load eased during its runs), the work the same.
        var timer = new ScriptedTimer([10, 10, 10, 10], [7, 7, 7, 7], [11, 11, 11, 11])
        {
            Cpu = [[20, 20, 20, 20], [19.5, 19.5, 19.5, 19.5], [22, 22, 22, 22]],
        };
        var entry = Tuner.Tune(_candidates, timer, rounds: 4, margin: 0.05);
        Assert.Equal("direct m16 n16", entry.Choice);
        Assert.Equal([20, 19.5, 22], entry.Candidates.Select(c => c.CpuMedianMs));

        var faster = new ScriptedTimer([10, 10, 10, 10], [7, 7, 7, 7], [11, 11, 11, 11])
        {
            Cpu = [[20, 20, 20, 20], [14, 14, 14, 14], [22, 22, 22, 22]],
        };
        Assert.Equal("direct m8 n8", Tuner.Tune(_candidates, faster, rounds: 4, margin: 0.05).Choice);
    }

    [Fact]
    public void Candidates_alternate_one_run_each_per_round_with_the_start_rotating_and_the_order_flipping()
    {
        var timer = new ScriptedTimer([1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]);
        Tuner.Tune(_candidates, timer, rounds: 6, margin: 0.05);
        Assert.Equal([0, 1, 2, 2, 1, 0, 1, 2, 0, 0, 2, 1, 2, 0, 1, 1, 0, 2], timer.Order);
        // Over the rounds every candidate, the default included, starts a round equally often.
        var starts = timer.Order.Chunk(3).Select(r => r[0]).ToArray();
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(2, starts.Count(s => s == c)));
    }

    [Fact]
    public void A_candidate_over_twice_the_default_in_the_first_rounds_runs_no_more()
    {
        // Candidate 1 is 2.5x the default in rounds 1 and 2; candidate 2 is 2.5x in round 1 only, so it keeps running and wins.
        var timer = new ScriptedTimer([10, 10, 10, 10], [25, 25, 1, 1], [25, 9, 9, 9]);
        var entry = Tuner.Tune(_candidates, timer, rounds: 4, margin: 0.05);
        Assert.Equal([0, 1, 2, 2, 1, 0, 2, 0, 0, 2], timer.Order);
        Assert.Equal([25, 25], entry.Candidates[1].RunsMs);
        Assert.Equal(4, entry.Candidates[2].RunsMs.Count);
        Assert.Equal("winograd f4", entry.Choice);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1)]
    [InlineData(double.NaN)]
    public void Tune_refuses_a_margin_outside_0_to_1(double margin)
    {
        var timer = new ScriptedTimer([1], [1], [1]);
        var e = Assert.Throws<EngineException>(() => Tuner.Tune(_candidates, timer, rounds: 1, margin: margin));
        Assert.Contains("margin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_keeps_the_default_on_a_tie()
    {
        var timings = new[] { new CandidateTiming("a", 5, [5, 5, 5]), new CandidateTiming("b", 5, [5, 5, 5]) };
        Assert.Equal("a", Tuner.Choose(timings, 0.05));
        Assert.Equal("b", Tuner.Choose([timings[0], new CandidateTiming("b", 4, [4, 4, 4])], 0.05));
    }
}
