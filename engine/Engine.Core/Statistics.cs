namespace Engine;

/// <summary>The measurements the tuner and the bench commands share: one median, one process CPU clock.</summary>
public static class Statistics
{
    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count; NaN for none).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// CPU time of every thread of this process, a CPU device's (lavapipe's) workers included: on a
    /// machine shared with other work, the work done is steadier than wall time. CLOCK_PROCESS_CPUTIME_ID
    /// on Linux (to the nanosecond, no allocation), else the runtime's process counters.
    /// </summary>
    public static TimeSpan ProcessCpuTime()
    {
        if (Interop.Libc.ProcessCpuMilliseconds() is var ms && double.IsFinite(ms))
            return TimeSpan.FromMilliseconds(ms);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
