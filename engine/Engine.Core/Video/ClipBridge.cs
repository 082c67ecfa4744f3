using Engine.Gpu;

namespace Engine.Video;

/// <summary>
/// The one way a clip crosses from the device that holds its clip buffer to an inference network on
/// another <see cref="Device"/>. Two logical devices share no memory, even on one physical device,
/// so the bytes go through the host: the clip is copied on the source device into a host-visible
/// staging buffer, the host waits for that copy (once per run, not per frame), reads the staging
/// buffer and writes the network's input (mapped, or through its device's staging). Both crossings
/// are counted in the devices' <see cref="Device.Traffic"/>.
/// </summary>
internal sealed class ClipBridge : IDisposable
{
    private readonly Device _source;
    private readonly GpuBuffer _staging;
    private readonly byte[] _host;

    public ClipBridge(Device source, long bytes)
    {
        _source = source;
        _staging = source.CreateBuffer("clip bridge (readback)", (ulong)bytes, hostVisible: true);
        _host = new byte[bytes];
    }

    /// <summary>Runs <paramref name="recordCopy"/> (the clip into the staging buffer given, at offset 0) on the source device, then writes the bytes into <paramref name="destination"/>.</summary>
    public void Move(Action<CommandList, GpuBuffer> recordCopy, Tensor destination)
    {
        if ((long)destination.ByteExtent != _host.Length)
            throw new EngineException($"Clip bridge: {_host.Length} bytes to move, the destination is {destination} ({destination.ByteExtent} bytes).");
        _source.Run(list => recordCopy(list, _staging), "clip to host");
        _source.ReadMapped(_staging, 0, _host);
        destination.Upload<byte>(_host);
    }

    public void Dispose() => _staging.Dispose();
}
