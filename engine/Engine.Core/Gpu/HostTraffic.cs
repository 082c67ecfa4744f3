namespace Engine.Gpu;

/// <summary>Bytes copied between host memory and a device's memory, each way; differences of two readings measure a stretch of work.</summary>
public readonly record struct HostTraffic(long Uploaded, long Downloaded)
{
    public static HostTraffic operator +(HostTraffic a, HostTraffic b) => new(a.Uploaded + b.Uploaded, a.Downloaded + b.Downloaded);

    public static HostTraffic operator -(HostTraffic a, HostTraffic b) => new(a.Uploaded - b.Uploaded, a.Downloaded - b.Downloaded);
}
