using System.Diagnostics;
using System.Globalization;
using Engine.Gpu;

namespace Engine.Host;

/// <summary>
/// Samples resident memory (VmRSS of /proc/self/status) and the devices' memory in use
/// (<see cref="Device.MemoryInUse"/>) on a timer of its own, so it needs nothing from the frame loop,
/// and once more when disposed (the run's end, before teardown). It keeps no list: the first sample
/// after <see cref="WarmUp"/> (the baseline), the last, and the range in between, so an hour costs
/// what a minute does. A flat run has the last sample within a few percent of the baseline.
/// </summary>
public sealed class MemoryWatch : IDisposable
{
    /// <summary>
    /// Samples before this are not compared: the first minutes fill the pipeline cache, the GC's heaps
    /// and the driver's arenas (issue 20 measures from minute 2).
    /// </summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromMinutes(2);

    private readonly IReadOnlyList<Device> _devices;
    private readonly Action<MemorySample> _sampled;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Starts sampling <paramref name="devices"/> and this process every <paramref name="every"/>; <paramref name="sampled"/> sees each sample.</summary>
    public MemoryWatch(IReadOnlyList<Device> devices, TimeSpan every, Action<MemorySample> sampled)
    {
        if (every <= TimeSpan.Zero)
            throw new EngineException($"memory sampling period {every.TotalSeconds} s: it must be positive.");
        _devices = devices;
        _sampled = sampled;
        _timer = new Timer(_ => Sample(), null, every, every);
    }

    /// <summary>The first sample at or after <see cref="WarmUp"/> (null before).</summary>
    public MemorySample? Baseline { get; private set; }

    public MemorySample? Last { get; private set; }

    /// <summary>The least and most resident bytes from the baseline on.</summary>
    public (long Min, long Max) ResidentRange { get; private set; }

    /// <summary>The least and most device bytes from the baseline on.</summary>
    public (long Min, long Max) DeviceRange { get; private set; }

    /// <summary>Resident bytes of this process now (VmRSS; the runtime's working set where /proc is absent).</summary>
    public static long ResidentBytes()
    {
        const string Path = "/proc/self/status";
        if (!File.Exists(Path))
            return Environment.WorkingSet;
        var line = File.ReadLines(Path).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>One line comparing the end with the baseline, for operators and the soak test.</summary>
    public string Report()
    {
        lock (_lock)
        {
            if (Baseline is not { } first || Last is not { } last)
                return FormattableString.Invariant($"memory: the run ended before the {WarmUp.TotalSeconds:0} s warm-up; nothing to compare");
            static string MiB(long bytes) => FormattableString.Invariant($"{bytes / (double)(1 << 20):0.0}");
            static string Change(long from, long to) => FormattableString.Invariant($"{(to - from) * 100.0 / Math.Max(1, from):+0.0;-0.0;0.0}%");
            return FormattableString.Invariant(
                $"memory from {first.Elapsed.TotalSeconds:0} s to {last.Elapsed.TotalSeconds:0} s: resident {MiB(first.ResidentBytes)} -> {MiB(last.ResidentBytes)} MiB ({Change(first.ResidentBytes, last.ResidentBytes)}, range {MiB(ResidentRange.Min)}..{MiB(ResidentRange.Max)}), ") +
                FormattableString.Invariant(
                $"device {MiB(first.DeviceBytes)} -> {MiB(last.DeviceBytes)} MiB ({Change(first.DeviceBytes, last.DeviceBytes)}, range {MiB(DeviceRange.Min)}..{MiB(DeviceRange.Max)})");
        }
    }

    private void Sample()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            var sample = new MemorySample(Stopwatch.GetElapsedTime(_start), ResidentBytes(), _devices.Sum(d => d.MemoryInUse));
            Last = sample;
            if (Baseline is null && sample.Elapsed >= WarmUp)
            {
                Baseline = sample;
                ResidentRange = (sample.ResidentBytes, sample.ResidentBytes);
                DeviceRange = (sample.DeviceBytes, sample.DeviceBytes);
            }
            else if (Baseline is not null)
            {
                ResidentRange = (Math.Min(ResidentRange.Min, sample.ResidentBytes), Math.Max(ResidentRange.Max, sample.ResidentBytes));
                DeviceRange = (Math.Min(DeviceRange.Min, sample.DeviceBytes), Math.Max(DeviceRange.Max, sample.DeviceBytes));
            }
            _sampled(sample);
        }
    }

    /// <summary>Takes the last sample and stops the timer.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Sample();
        lock (_lock)
            _disposed = true;
    }
}
