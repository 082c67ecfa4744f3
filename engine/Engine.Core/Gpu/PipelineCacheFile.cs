using System.Buffers.Binary;
using Engine.Interop;
using Microsoft.Extensions.Logging;

namespace Engine.Gpu;

/// <summary>
/// The on-disk pipeline cache: one file per device UUID and driver version, read when the device
/// opens and written back when it closes, so shader compilation (an LLVM JIT on lavapipe) is paid once.
/// A file that cannot be read, is not a cache of this device or is rejected by the driver is ignored
/// (<see cref="Ignored"/> says why): the device starts with an empty cache and rewrites the file whole
/// when it closes.
/// </summary>
internal sealed unsafe partial class PipelineCacheFile : IDisposable
{
    private readonly Device _device;
    private readonly string? _path;
    private readonly ILogger _logger;

    public PipelineCacheFile(Device device, string? directory, ILogger logger)
    {
        _device = device;
        _logger = logger;
        _path = directory is null ? null : Path.Combine(directory, $"pipelines-{device.Info.DeviceUuid}-{device.Info.DriverVersion:x8}.bin");

        byte[] initial = [];
        if (_path is not null && File.Exists(_path))
        {
            try
            {
                initial = File.ReadAllBytes(_path);
            }
            catch (IOException e)
            {
                Log.CacheUnreadable(_logger, _path, e.Message);
                Ignored = $"unreadable: {e.Message}";
            }
            if (initial.Length > 0 && !IsCacheOf(device.Info, initial))
            {
                // Drivers may accept a foreign or truncated blob and silently start empty; checking the
                // header here makes "ignored" visible (BytesLoaded 0) and keeps garbage from the driver.
                Log.CacheForeign(_logger, _path, initial.Length);
                Ignored = $"{initial.Length} bytes that are not a pipeline cache of this device";
                initial = [];
            }
        }
        fixed (byte* data = initial)
        {
            var info = new VkPipelineCacheCreateInfo { initialDataSize = (nuint)initial.Length, pInitialData = data };
            VkPipelineCache cache;
            var result = device.Api.vkCreatePipelineCache(device.Api.Device, &info, null, &cache);
            if (result < 0 && initial.Length > 0)
            {
                // A corrupt or foreign file: start empty rather than fail.
                Log.CacheRejected(_logger, _path!, result);
                Ignored = $"rejected by the driver ({result})";
                info.initialDataSize = 0;
                info.pInitialData = null;
                initial = [];
                result = device.Api.vkCreatePipelineCache(device.Api.Device, &info, null, &cache);
            }
            VulkanException.Check(result, nameof(device.Api.vkCreatePipelineCache), _path ?? "an in-memory pipeline cache");
            Handle = cache;
        }
        BytesLoaded = initial.Length;
    }

    public VkPipelineCache Handle { get; }

    /// <summary>
    /// True when <paramref name="data"/> starts with the header of a pipeline cache of this device
    /// (VkPipelineCacheHeaderVersionOne: header length at least 32, version 1, vendor and device IDs).
    /// </summary>
    private static bool IsCacheOf(DeviceInfo info, ReadOnlySpan<byte> data) =>
        data.Length >= 32
        && BinaryPrimitives.ReadUInt32LittleEndian(data) >= 32
        && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) == 1
        && BinaryPrimitives.ReadUInt32LittleEndian(data[8..]) == info.VendorId
        && BinaryPrimitives.ReadUInt32LittleEndian(data[12..]) == info.DeviceId;

    public long BytesLoaded { get; }

    /// <summary>Why the file on disk was ignored and the cache started empty (null when it was loaded, or there was none).</summary>
    public string? Ignored { get; }

    public byte[] Data()
    {
        var api = _device.Api;
        nuint size = 0;
        VulkanException.Check(api.vkGetPipelineCacheData(api.Device, Handle, &size, null), nameof(api.vkGetPipelineCacheData), "the pipeline cache");
        var data = new byte[size];
        fixed (byte* p = data)
            VulkanException.Check(api.vkGetPipelineCacheData(api.Device, Handle, &size, p), nameof(api.vkGetPipelineCacheData), "the pipeline cache");
        return data[..(int)size];
    }

    public void Dispose()
    {
        if (_path is not null)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
                var temp = $"{_path}.{Environment.ProcessId}.tmp";
                File.WriteAllBytes(temp, Data());
                File.Move(temp, _path, overwrite: true);
            }
            catch (IOException e)
            {
                Log.CacheUnwritable(_logger, _path, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                Log.CacheUnwritable(_logger, _path, e.Message);
            }
        }
        _device.Api.vkDestroyPipelineCache(_device.Api.Device, Handle, null);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Pipeline cache {Path} could not be read: {Reason}")]
        public static partial void CacheUnreadable(ILogger logger, string path, string reason);

        [LoggerMessage(LogLevel.Warning, "Pipeline cache {Path} ({Bytes} bytes) is not a pipeline cache of this device; starting empty")]
        public static partial void CacheForeign(ILogger logger, string path, int bytes);

        [LoggerMessage(LogLevel.Warning, "Pipeline cache {Path} was rejected by the driver ({Result}); starting empty")]
        public static partial void CacheRejected(ILogger logger, string path, VkResult result);

        [LoggerMessage(LogLevel.Warning, "Pipeline cache {Path} could not be written: {Reason}")]
        public static partial void CacheUnwritable(ILogger logger, string path, string reason);
    }
}
