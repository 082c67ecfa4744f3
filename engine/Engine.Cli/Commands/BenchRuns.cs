using System.Diagnostics;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Cli.Commands;

/// <summary>
/// The timed runs of one recorded, profiled command list, after the caller's warm-up run: wall and GPU
/// time per run, GPU time per group of dispatches (an op's region or a kernel's pipeline), and the CPU
/// time per run of every thread of this process.
/// </summary>
internal sealed class BenchRuns
{
    private BenchRuns()
    {
    }

    public List<double> Wall { get; } = [];

    public List<double> Gpu { get; } = [];

    /// <summary>GPU milliseconds per run of each group, in the order the groups were first seen.</summary>
    public Dictionary<string, List<double>> Groups { get; } = [];

    public double CpuPerRun { get; private set; }

    /// <summary>Records <paramref name="ops"/> into one profiled list, each op its own region, and runs it once to warm up.</summary>
    public static CommandList Record(Device device, string name, IEnumerable<IOp> ops)
    {
        var list = device.CreateCommandList(name, profile: true);
        foreach (var op in ops)
        {
            list.Region = op.Name;
            op.Record(list);
        }
        list.Finish();
        device.Submit(list).Wait();
        return list;
    }

    /// <summary>
    /// Times <paramref name="list"/> <paramref name="iterations"/> times, or, with <paramref name="other"/>,
    /// alternates the two run by run: on a shared machine only an A/B in one process, interleaved,
    /// compares them, since separate processes of identical code vary widely. The order flips every run
    /// (ABBA) because the first of two back-to-back submits of the same command list tends to be slower
    /// (docs/bench-log.md, 2026-12-05).
    /// </summary>
    public static (List<BenchRuns> Runs, List<BenchRuns> OtherRuns) Alternate(Device device, CommandList list, CommandList? other, int iterations,
        Func<DispatchTiming, string> groupBy)
    {
        var (runs, otherRuns) = (new List<BenchRuns>(), new List<BenchRuns>());
        for (var i = 0; i < (other is null ? 1 : iterations); i++)
        {
            if (other is not null && i % 2 == 1)
                otherRuns.Add(Measure(device, other, 1, groupBy));
            runs.Add(Measure(device, list, other is null ? iterations : 1, groupBy));
            if (other is not null && i % 2 == 0)
                otherRuns.Add(Measure(device, other, 1, groupBy));
        }
        return (runs, otherRuns);
    }

    public static BenchRuns Measure(Device device, CommandList list, int iterations, Func<DispatchTiming, string> groupBy)
    {
        var runs = new BenchRuns();
        var cpu = Statistics.ProcessCpuTime();
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            device.Submit(list).Wait();
            runs.Wall.Add(clock.Elapsed.TotalMilliseconds);
            var timings = list.Timings();
            runs.Gpu.Add(timings.Sum(t => t.Milliseconds));
            foreach (var group in timings.GroupBy(groupBy))
            {
                if (!runs.Groups.TryGetValue(group.Key, out var times))
                    runs.Groups[group.Key] = times = [];
                times.Add(group.Sum(t => t.Milliseconds));
            }
        }
        runs.CpuPerRun = (Statistics.ProcessCpuTime() - cpu).TotalMilliseconds / Math.Max(1, iterations);
        return runs;
    }
}
