namespace Engine.Tuning;

/// <summary>Whether a device uses the tuner's cache (<see cref="Gpu.DeviceOptions.Tuning"/>).</summary>
public enum TuningMode
{
    /// <summary>Every shape runs today's rules; no cache file is read or written.</summary>
    Off,

    /// <summary>Shapes in the device's cache file run their tuned variants; the others today's rules.</summary>
    Cached,

    /// <summary>
    /// As <see cref="Cached"/>, and a compile first tunes the graph's shapes the cache lacks, then writes
    /// the file. Opt-in (`--tune`): tuning a network takes seconds to minutes on a CPU device.
    /// </summary>
    TuneAtCompile,
}
