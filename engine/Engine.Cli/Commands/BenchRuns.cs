using System.Diagnostics;
using Engine.Gpu;

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

    public static BenchRuns Measure(Device device, CommandList list, int iterations, Func<DispatchTiming, string> groupBy)
    {
        var runs = new BenchRuns();
        var cpu = BenchCommand.ProcessorTime();
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
        runs.CpuPerRun = (BenchCommand.ProcessorTime() - cpu).TotalMilliseconds / Math.Max(1, iterations);
        return runs;
    }
}
