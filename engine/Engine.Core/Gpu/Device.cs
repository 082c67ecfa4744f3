using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Interop;
using Microsoft.Extensions.Logging;

namespace Engine.Gpu;

/// <summary>
/// A logical Vulkan device with one compute queue, opened from the process's <see cref="Gpu.Instance"/>
/// (<see cref="Gpu.Instance.CreateDevice"/>): it creates buffers, tensors and pipelines,
/// submits command lists, and destroys objects once the GPU has finished with them. Every
/// submission signals the next value of one timeline semaphore, which is what "finished" means.
/// </summary>
public sealed unsafe class Device : IDisposable
{
    /// <summary>Tensor allocations are aligned and padded to this many bytes so any tensor can be viewed as vec4 texels.</summary>
    public const int TensorAlignment = 16;

    private readonly Instance _instance;
    private readonly ILogger _logger;
    private readonly VkPhysicalDeviceMemoryProperties _memory;
    private readonly VkQueue _queue;
    private readonly VkSemaphore _timeline;
    private readonly PipelineCacheFile _pipelineCache;
    private readonly Dictionary<string, Pipeline> _pipelines = [];
    private readonly Queue<(ulong Value, Action Destroy)> _garbage = new();
    private readonly Lock _submitLock = new();
    private ulong _lastSubmitted;
    private long _uploadedBytes;
    private long _downloadedBytes;
    private long _memoryInUse;
    private bool _disposed;

    /// <summary>The device's logger (the tuner's notes go here too).</summary>
    internal ILogger Logger => _logger;

    internal Device(Instance instance, DeviceInfo info, VkPhysicalDevice physical, DeviceOptions options)
    {
        _instance = instance;
        _logger = options.LoggerFactory.CreateLogger<Device>();
        Info = info;
        PhysicalDevice = physical;

        var api = instance.Api;
        VkPhysicalDeviceMemoryProperties memory;
        api.vkGetPhysicalDeviceMemoryProperties(physical, &memory);
        _memory = memory;

        var props = new VkPhysicalDeviceProperties2();
        api.vkGetPhysicalDeviceProperties2(physical, &props);
        Limits = props.properties.limits;

        var families = api.QueueFamilies(physical);
        QueueFamily = (uint)Array.FindIndex(families, f => (f.queueFlags & VkQueueFlags.Compute) != 0);
        if (QueueFamily == uint.MaxValue)
            throw new EngineException($"Vulkan device '{info.Name}' has no compute queue.");
        TimestampValidBits = families[QueueFamily].timestampValidBits;

        Api = CreateLogicalDevice(api, physical, info, options.Presentation);
        VkQueue queue;
        Api.vkGetDeviceQueue(Api.Device, QueueFamily, 0, &queue);
        _queue = queue;

        var timelineType = new VkSemaphoreTypeCreateInfo { semaphoreType = VkSemaphoreType.Timeline };
        var semaphoreInfo = new VkSemaphoreCreateInfo { pNext = &timelineType };
        VkSemaphore timeline;
        VulkanException.Check(Api.vkCreateSemaphore(Api.Device, &semaphoreInfo, null, &timeline), nameof(Api.vkCreateSemaphore), "the device's timeline semaphore");
        _timeline = timeline;

        _pipelineCache = new PipelineCacheFile(this, options.PipelineCacheDirectory, _logger);
        Tuning = Engine.Tuning.TuningCache.Open(options.PipelineCacheDirectory, info, options.Tuning, _logger);
    }

    /// <summary>The tuner's choices for this device and driver (empty unless opened with <see cref="DeviceOptions.Tuning"/>).</summary>
    public Engine.Tuning.TuningCache Tuning { get; }

    public DeviceInfo Info { get; }

    public VkDeviceApi Api { get; }

    public VkPhysicalDevice PhysicalDevice { get; }

    public VkPhysicalDeviceLimits Limits { get; }

    /// <summary>
    /// A byte offset at which any tensor view may be bound as a storage buffer or a texel buffer and
    /// read as whole vec4 texels: chunk and scratch boundaries are multiples of it.
    /// </summary>
    public ulong BindingAlignment => Math.Max(TensorAlignment, Math.Max(Limits.minStorageBufferOffsetAlignment, Limits.minTexelBufferOffsetAlignment));

    /// <summary>The most workgroups a dispatch may have along x: flat dispatches fill x up to it and overflow into y.</summary>
    public unsafe uint MaxGroupsX
    {
        get
        {
            var limits = Limits;
            return limits.maxComputeWorkGroupCount[0];
        }
    }

    /// <summary>The most workgroups a dispatch may have along y: ops that give one y group per row tile are limited by it.</summary>
    public unsafe uint MaxGroupsY
    {
        get
        {
            var limits = Limits;
            return limits.maxComputeWorkGroupCount[1];
        }
    }

    /// <summary>The most workgroups a dispatch may have along z: ops that give one z group per matrix, line or overflow row tile are limited by it.</summary>
    public unsafe uint MaxGroupsZ
    {
        get
        {
            var limits = Limits;
            return limits.maxComputeWorkGroupCount[2];
        }
    }

    /// <summary>The most invocations a one-dimensional workgroup may have (maxComputeWorkGroupSize x and maxComputeWorkGroupInvocations).</summary>
    public unsafe uint MaxGroupLanes
    {
        get
        {
            var limits = Limits;
            return Math.Min(limits.maxComputeWorkGroupSize[0], limits.maxComputeWorkGroupInvocations);
        }
    }

    public uint QueueFamily { get; }

    public uint TimestampValidBits { get; }

    public bool Validation => _instance.Validation;

    internal Instance Instance => _instance;

    /// <summary>Runs <paramref name="action"/> with the queue while no submission can interleave (vkQueuePresentKHR).</summary>
    internal T WithQueue<T>(Func<VkQueue, T> action)
    {
        lock (_submitLock)
            return action(_queue);
    }

    /// <summary>Validation messages above INFO seen since the instance was created.</summary>
    public IReadOnlyList<string> ValidationMessages => _instance.ValidationMessages;

    /// <summary>Bytes of pipeline cache data read from disk when the device opened (0 on a cold cache).</summary>
    public long PipelineCacheBytesLoaded => _pipelineCache.BytesLoaded;

    /// <summary>Why the pipeline cache file on disk was ignored, to be rebuilt and rewritten at close (null when it was loaded or absent).</summary>
    public string? PipelineCacheIgnored => _pipelineCache.Ignored;

    internal VkPipelineCache PipelineCacheHandle => _pipelineCache.Handle;

    private static VkDeviceApi CreateLogicalDevice(VkInstanceApi api, VkPhysicalDevice physical, DeviceInfo info, bool presentation)
    {
        // Ask for what the device has of what the engine can use; timeline semaphores are required.
        var have12 = new VkPhysicalDeviceVulkan12Features { sType = VkStructureType.PhysicalDeviceVulkan12Features };
        var have11 = new VkPhysicalDeviceVulkan11Features { sType = VkStructureType.PhysicalDeviceVulkan11Features, pNext = &have12 };
        var have = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = &have11 };
        api.vkGetPhysicalDeviceFeatures2(physical, &have);

        var want12 = new VkPhysicalDeviceVulkan12Features
        {
            sType = VkStructureType.PhysicalDeviceVulkan12Features,
            timelineSemaphore = 1,
            shaderFloat16 = have12.shaderFloat16,
            shaderInt8 = have12.shaderInt8,
            storageBuffer8BitAccess = have12.storageBuffer8BitAccess,
            scalarBlockLayout = have12.scalarBlockLayout,
        };
        var want11 = new VkPhysicalDeviceVulkan11Features
        {
            sType = VkStructureType.PhysicalDeviceVulkan11Features,
            pNext = &want12,
            storageBuffer16BitAccess = have11.storageBuffer16BitAccess,
        };
        var want = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = &want11 };
        want.features.shaderInt64 = have.features.shaderInt64;
        want.features.shaderInt16 = have.features.shaderInt16;
        want.features.shaderStorageImageWriteWithoutFormat = have.features.shaderStorageImageWriteWithoutFormat;

        var families = api.QueueFamilies(physical);
        var family = (uint)Array.FindIndex(families, f => (f.queueFlags & VkQueueFlags.Compute) != 0);
        var priority = 1.0f;
        var queueInfo = new VkDeviceQueueCreateInfo { queueFamilyIndex = family, queueCount = 1, pQueuePriorities = &priority };
        var extensions = new List<string>();
        var available = api.DeviceExtensions(physical);
        if (available.Contains("VK_KHR_portability_subset"))
            extensions.Add("VK_KHR_portability_subset");
        if (presentation)
        {
            if (!available.Contains("VK_KHR_swapchain"))
                throw new EngineException($"Vulkan device '{info.Name}' cannot present to a window (no VK_KHR_swapchain); use --headless.");
            extensions.Add("VK_KHR_swapchain");
        }
        using var extensionNames = new NativeString.Array(extensions);
        var createInfo = new VkDeviceCreateInfo
        {
            pNext = &want,
            queueCreateInfoCount = 1,
            pQueueCreateInfos = &queueInfo,
            enabledExtensionCount = extensionNames.Count,
            ppEnabledExtensionNames = extensionNames.Pointer,
        };
        VkDevice device;
        VulkanException.Check(api.vkCreateDevice(physical, &createInfo, null, &device), nameof(api.vkCreateDevice), $"device '{info.Name}'");
        return new VkDeviceApi(api, device);
    }

    // ---------------------------------------------------------------- memory

    /// <summary>
    /// Creates a buffer. Device-local memory is preferred; when that memory is also host-visible and
    /// coherent (unified memory) it is mapped persistently, so uploads are plain copies.
    /// <paramref name="hostVisible"/> asks for mappable memory whatever the device (staging, readback).
    /// </summary>
    public GpuBuffer CreateBuffer(string name, ulong size, bool hostVisible = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        size = Math.Max(TensorAlignment, (size + TensorAlignment - 1) / TensorAlignment * TensorAlignment);
        var usage = VkBufferUsageFlags.StorageBuffer | VkBufferUsageFlags.StorageTexelBuffer | VkBufferUsageFlags.UniformTexelBuffer
            | VkBufferUsageFlags.TransferSrc | VkBufferUsageFlags.TransferDst | VkBufferUsageFlags.IndirectBuffer;
        var info = new VkBufferCreateInfo { size = size, usage = usage, sharingMode = VkSharingMode.Exclusive };
        VkBuffer buffer;
        VulkanException.Check(Api.vkCreateBuffer(Api.Device, &info, null, &buffer), nameof(Api.vkCreateBuffer), $"buffer '{name}' ({size} bytes)");
        VkMemoryRequirements req;
        Api.vkGetBufferMemoryRequirements(Api.Device, buffer, &req);

        var coherent = VkMemoryPropertyFlags.HostVisible | VkMemoryPropertyFlags.HostCoherent;
        var type = hostVisible
            ? FindMemoryType(req.memoryTypeBits, coherent | VkMemoryPropertyFlags.HostCached) ?? FindMemoryType(req.memoryTypeBits, coherent)
            : FindMemoryType(req.memoryTypeBits, VkMemoryPropertyFlags.DeviceLocal | coherent) ?? FindMemoryType(req.memoryTypeBits, VkMemoryPropertyFlags.DeviceLocal);
        type ??= FindMemoryType(req.memoryTypeBits, VkMemoryPropertyFlags.None);
        var alloc = new VkMemoryAllocateInfo { allocationSize = req.size, memoryTypeIndex = type!.Value };
        VkDeviceMemory memory;
        var result = Api.vkAllocateMemory(Api.Device, &alloc, null, &memory);
        if (result < 0)
        {
            Api.vkDestroyBuffer(Api.Device, buffer, null);
            VulkanException.Check(result, nameof(Api.vkAllocateMemory), $"buffer '{name}' ({req.size} bytes, memory type {type})");
        }
        Interlocked.Add(ref _memoryInUse, (long)req.size);
        VulkanException.Check(Api.vkBindBufferMemory(Api.Device, buffer, memory, 0), nameof(Api.vkBindBufferMemory), $"buffer '{name}'");

        byte* mapped = null;
        if ((_memory.memoryTypes[(int)type.Value].propertyFlags & coherent) == coherent)
        {
            void* p;
            VulkanException.Check(Api.vkMapMemory(Api.Device, memory, 0, ~0ul, 0, &p), nameof(Api.vkMapMemory), $"buffer '{name}'");
            mapped = (byte*)p;
            if (Info.Type == VkPhysicalDeviceType.Cpu)
                AdviseHugePages(mapped, req.size);
        }
        SetName(VkObjectType.Buffer, buffer.Handle, name);
        return new GpuBuffer(this, name, size, buffer, memory, req.size, mapped);
    }

    /// <summary>
    /// A CPU device's memory is this process's memory, in 4 KiB pages unless asked otherwise (Debian's
    /// default transparent-huge-page mode is madvise: lavapipe's arenas had no huge pages at all). Its
    /// kernels gather from tensors of tens of MiB, so ask for 2 MiB pages before the first touch: fewer
    /// TLB misses, and cache-set placement that no longer depends on which 4 KiB pages a process got.
    /// It measured less CPU time on the non-local block (docs/bench-log.md, 2026-11-22). Only a hint: a
    /// refusal (another OS, THP disabled) changes nothing, and arenas under 2 MiB are left alone.
    /// </summary>
    private static void AdviseHugePages(byte* mapped, ulong size)
    {
        const ulong hugePage = 2UL << 20;
        const ulong page = 4096;
        if (size < hugePage || !OperatingSystem.IsLinux())
            return;
        var start = ((ulong)mapped + page - 1) / page * page;
        var end = ((ulong)mapped + size) / page * page;
        if (end > start)
            _ = Libc.madvise((void*)start, (nuint)(end - start), Libc.MadvHugePage);
    }

    private uint? FindMemoryType(uint typeBits, VkMemoryPropertyFlags required)
    {
        for (var i = 0; i < _memory.memoryTypeCount; i++)
        {
            if ((typeBits & (1u << i)) != 0 && (_memory.memoryTypes[i].propertyFlags & required) == required)
                return (uint)i;
        }
        return null;
    }

    /// <summary>A tensor with its own buffer (contiguous, zero-filled on creation is not guaranteed).</summary>
    public Tensor CreateTensor(string name, Shape shape, DataType type = DataType.Float32)
    {
        var bytes = (ulong)(shape.ElementCount * type.Size());
        return new Tensor(CreateBuffer(name, bytes), 0, shape, type, name, ownsBuffer: true);
    }

    /// <summary>A tensor filled with <paramref name="data"/>.</summary>
    public Tensor CreateTensor<T>(string name, Shape shape, ReadOnlySpan<T> data, DataType type = DataType.Float32) where T : unmanaged
    {
        var tensor = CreateTensor(name, shape, type);
        tensor.Upload(data);
        return tensor;
    }

    internal void Upload<T>(Tensor tensor, ReadOnlySpan<T> data) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        if (!tensor.IsContiguous || (ulong)bytes.Length != tensor.ByteExtent)
            throw new EngineException($"Upload to {tensor}: {bytes.Length} bytes given, the tensor holds {tensor.ByteExtent} contiguous bytes.");
        if (tensor.Buffer.IsMapped)
        {
            WriteMapped(tensor.Buffer, tensor.ByteOffset, bytes);
            return;
        }
        var size = (ulong)bytes.Length;
        using var staging = CreateBuffer($"{tensor.Name} (upload)", size, hostVisible: true);
        WriteMapped(staging, 0, bytes);
        Run(list => list.CopyBuffer(staging, 0, tensor.Buffer, tensor.ByteOffset, size));
    }

    internal T[] Download<T>(Tensor tensor) where T : unmanaged
    {
        if (!tensor.IsContiguous)
            throw new EngineException($"Download of {tensor}: only contiguous tensors can be read back.");
        var bytes = checked((int)tensor.ByteExtent);
        var result = new T[bytes / Unsafe.SizeOf<T>()];
        if (tensor.Buffer.IsMapped)
        {
            ReadMapped(tensor.Buffer, tensor.ByteOffset, MemoryMarshal.AsBytes(result.AsSpan()));
            return result;
        }
        using var staging = CreateBuffer($"{tensor.Name} (readback)", (ulong)bytes, hostVisible: true);
        Run(list => list.CopyBuffer(tensor.Buffer, tensor.ByteOffset, staging, 0, (ulong)bytes));
        ReadMapped(staging, 0, MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>
    /// Bytes of device memory the engine holds now: every allocation (all of them are buffers') until
    /// the deferred destruction frees it. Flat over a long run means nothing accumulates on the device.
    /// </summary>
    public long MemoryInUse => Interlocked.Read(ref _memoryInUse);

    /// <summary>Frees a buffer's memory and counts it out of <see cref="MemoryInUse"/>.</summary>
    internal void FreeMemory(VkDeviceMemory memory, ulong bytes)
    {
        Api.vkFreeMemory(Api.Device, memory, null);
        Interlocked.Add(ref _memoryInUse, -(long)bytes);
    }

    /// <summary>Bytes the host wrote into and read from this device's memory since it opened.</summary>
    public HostTraffic Traffic => new(Interlocked.Read(ref _uploadedBytes), Interlocked.Read(ref _downloadedBytes));

    /// <summary>
    /// The one place host bytes enter this device's memory (uploads, staging buffers, frames, overlay
    /// layers, the clip bridge), so <see cref="Traffic"/> counts every crossing once: copies
    /// <paramref name="bytes"/> into mapped <paramref name="buffer"/> at <paramref name="offset"/> once
    /// the GPU is done with the buffer (it may still read the old contents: writing now would race).
    /// </summary>
    internal void WriteMapped(GpuBuffer buffer, ulong offset, ReadOnlySpan<byte> bytes)
    {
        if (!buffer.IsMapped || offset + (ulong)bytes.Length > buffer.Size)
            throw new EngineException($"Host write of {bytes.Length} bytes at {offset} into {buffer}: it must be host-visible and hold them.");
        Wait(buffer.LastUse);
        bytes.CopyTo(new Span<byte>(buffer.Mapped + offset, bytes.Length));
        Interlocked.Add(ref _uploadedBytes, bytes.Length);
    }

    /// <summary>The one place device bytes reach the host: reads mapped <paramref name="buffer"/> once the GPU has finished writing it.</summary>
    internal void ReadMapped(GpuBuffer buffer, ulong offset, Span<byte> destination)
    {
        if (!buffer.IsMapped || offset + (ulong)destination.Length > buffer.Size)
            throw new EngineException($"Host read of {destination.Length} bytes at {offset} from {buffer}: it must be host-visible and hold them.");
        Wait(buffer.LastUse);
        new ReadOnlySpan<byte>(buffer.Mapped + offset, destination.Length).CopyTo(destination);
        Interlocked.Add(ref _downloadedBytes, destination.Length);
    }

    // ---------------------------------------------------------------- pipelines

    /// <summary>The pipeline of an engine shader (embedded SPIR-V, by name) with these constants, created once.</summary>
    public Pipeline Pipeline(string shader, params ReadOnlySpan<SpecConstant> constants) =>
        Pipeline(shader, ShaderLibrary.Load(shader), constants);

    /// <summary>The pipeline of any SPIR-V module (a plugin's, compiled at run time), created once per code and constants.</summary>
    public Pipeline Pipeline(string name, byte[] spirv, params ReadOnlySpan<SpecConstant> constants)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = $"{name}#{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(spirv))}#{string.Join(",", constants.ToArray())}";
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(key, out var pipeline))
            {
                pipeline = new Pipeline(this, name, spirv, constants);
                _pipelines[key] = pipeline;
            }
            return pipeline;
        }
    }

    // ---------------------------------------------------------------- submission

    /// <summary>A command list to record dispatches into; submit it once or many times.</summary>
    public CommandList CreateCommandList(string name, bool profile = false) => new(this, name, profile);

    /// <summary>Submits a finished command list; its work signals the returned submission.</summary>
    public Submission Submit(CommandList list) => Submit(list, default);

    /// <summary>
    /// Submits a finished command list that also signals the binary semaphore <paramref name="signal"/>
    /// (a swapchain image's "copied" semaphore, which presentation waits on: it cannot wait on a timeline).
    /// </summary>
    internal Submission Submit(CommandList list, VkSemaphore signal)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        list.ThrowIfNotFinished();
        lock (_submitLock)
        {
            // A list still running from an earlier submit must finish before it runs again.
            Wait(list.LastSubmission);
            var value = ++_lastSubmitted;
            var cb = list.Handle;
            var semaphores = stackalloc VkSemaphore[] { _timeline, signal };
            var values = stackalloc ulong[] { value, 0 };
            var count = signal.Handle == 0 ? 1u : 2u;
            var timelineInfo = new VkTimelineSemaphoreSubmitInfo { signalSemaphoreValueCount = count, pSignalSemaphoreValues = values };
            var submit = new VkSubmitInfo
            {
                pNext = &timelineInfo,
                commandBufferCount = 1,
                pCommandBuffers = &cb,
                signalSemaphoreCount = count,
                pSignalSemaphores = semaphores,
            };
            VulkanException.Check(Api.vkQueueSubmit(_queue, 1, &submit, default), nameof(Api.vkQueueSubmit), $"command list '{list.Name}'");
            list.MarkSubmitted(value);
            CollectGarbage();
            return new Submission(this, value);
        }
    }

    /// <summary>Records, submits and waits: for one-off work such as staging copies.</summary>
    public void Run(Action<CommandList> record, string name = "one-off")
    {
        using var list = CreateCommandList(name);
        record(list);
        list.Finish();
        Submit(list).Wait();
    }

    /// <summary>The timeline value of the newest submission the GPU has finished.</summary>
    public ulong CompletedValue
    {
        get
        {
            ulong value;
            VulkanException.Check(Api.vkGetSemaphoreCounterValue(Api.Device, _timeline, &value), nameof(Api.vkGetSemaphoreCounterValue), "the device's timeline semaphore");
            return value;
        }
    }

    /// <summary>Blocks until the submission with timeline value <paramref name="value"/> has finished.</summary>
    public void Wait(ulong value)
    {
        if (value == 0 || CompletedValue >= value)
            return;
        var timeline = _timeline;
        var info = new VkSemaphoreWaitInfo { semaphoreCount = 1, pSemaphores = &timeline, pValues = &value };
        VulkanException.Check(Api.vkWaitSemaphores(Api.Device, &info, ulong.MaxValue), nameof(Api.vkWaitSemaphores), $"submission {value}");
    }

    /// <summary>Waits for everything submitted so far.</summary>
    public void WaitIdle() => Wait(_lastSubmitted);

    /// <summary>Runs <paramref name="destroy"/> once submission <paramref name="lastUse"/> has finished (now if it has).</summary>
    internal void DestroyAfter(ulong lastUse, Action destroy)
    {
        if (_disposed)
            return; // the device already destroyed everything
        lock (_garbage)
            _garbage.Enqueue((lastUse, destroy));
        CollectGarbage();
    }

    private void CollectGarbage()
    {
        var completed = CompletedValue;
        while (true)
        {
            Action destroy;
            lock (_garbage)
            {
                // Items leave in the order they came; one released late only delays those behind it.
                if (_garbage.Count == 0 || _garbage.Peek().Value > completed)
                    return;
                destroy = _garbage.Dequeue().Destroy;
            }
            destroy();
        }
    }

    internal void SetName(VkObjectType type, ulong handle, string name)
    {
        if (!_instance.Api.HasDebugUtils)
            return;
        var bytes = NativeString.Utf8(name);
        fixed (byte* p = bytes)
        {
            var info = new VkDebugUtilsObjectNameInfoEXT { sType = VkStructureType.DebugUtilsObjectNameInfoExt, objectType = type, objectHandle = handle, pObjectName = p };
            _instance.Api.vkSetDebugUtilsObjectNameEXT(Api.Device, &info);
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        VulkanException.Check(Api.vkDeviceWaitIdle(Api.Device), nameof(Api.vkDeviceWaitIdle), $"device '{Info.Name}'");
        CollectGarbage();
        lock (_garbage)
        {
            while (_garbage.Count > 0)
                _garbage.Dequeue().Destroy();
        }
        foreach (var pipeline in _pipelines.Values)
            pipeline.Destroy();
        _pipelines.Clear();
        _pipelineCache.Dispose();
        _disposed = true;
        Api.vkDestroySemaphore(Api.Device, _timeline, null);
        Api.vkDestroyDevice(Api.Device, null);
    }
}
