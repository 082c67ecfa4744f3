namespace Engine.Host;

/// <summary>The process's resident memory and the devices' memory in use, <see cref="Elapsed"/> into a run.</summary>
public readonly record struct MemorySample(TimeSpan Elapsed, long ResidentBytes, long DeviceBytes)
{
    public override string ToString() =>
        FormattableString.Invariant($"memory at {Elapsed.TotalSeconds:0} s: resident {ResidentBytes / (double)(1 << 20):0.0} MiB, device {DeviceBytes / (double)(1 << 20):0.0} MiB");
}
