using System.Runtime.CompilerServices;
using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// Records dispatches and copies into one command buffer. Each dispatch names its tensors in binding
/// order; the shader's reflected layout says which are read and which written, and the list inserts
/// the buffer barriers that order them, so no op ever writes a barrier itself. Record once, then
/// <see cref="Finish"/> and submit as often as needed. With profiling on, a timestamp follows every
/// dispatch and <see cref="Timings"/> reports GPU time per dispatch. An indirect dispatch takes its
/// workgroup counts from a tensor an earlier dispatch wrote, so work sized by a count known only on
/// the GPU records once and costs nothing when that count is zero.
/// </summary>
public sealed unsafe class CommandList : IDisposable
{
    private const uint SetsPerPool = 64;
    private const uint DescriptorsPerPool = SetsPerPool * 8;
    private const uint QueriesPerPool = 256;

    private readonly Device _device;
    private readonly VkDeviceApi _api;
    private readonly VkCommandPool _pool;
    private readonly bool _profile;
    private const VkAccessFlags AllAccess = VkAccessFlags.ShaderRead | VkAccessFlags.ShaderWrite | VkAccessFlags.TransferRead
        | VkAccessFlags.TransferWrite | VkAccessFlags.IndirectCommandRead;

    private readonly List<PendingAccess> _pending = [];
    private readonly List<DescriptorPoolState> _descriptorPools = [];
    private readonly List<VkQueryPool> _queryPools = [];
    private readonly List<(string Region, string Pipeline)> _timedDispatches = [];
    private readonly HashSet<GpuBuffer> _buffers = [];
    private uint _queryCount;
    private bool _finished;
    private bool _disposed;

    internal CommandList(Device device, string name, bool profile)
    {
        _device = device;
        _api = device.Api;
        Name = name;
        _profile = profile;
        if (profile && device.TimestampValidBits == 0)
            throw new EngineException($"Device '{device.Info.Name}' has no timestamps on its compute queue; profiling is unavailable.");

        var poolInfo = new VkCommandPoolCreateInfo { queueFamilyIndex = device.QueueFamily };
        VkCommandPool pool;
        VulkanException.Check(_api.vkCreateCommandPool(_api.Device, &poolInfo, null, &pool), nameof(_api.vkCreateCommandPool), $"command list '{name}'");
        _pool = pool;
        var allocInfo = new VkCommandBufferAllocateInfo { commandPool = pool, level = VkCommandBufferLevel.Primary, commandBufferCount = 1 };
        VkCommandBuffer cb;
        VulkanException.Check(_api.vkAllocateCommandBuffers(_api.Device, &allocInfo, &cb), nameof(_api.vkAllocateCommandBuffers), $"command list '{name}'");
        Handle = cb;
        var begin = new VkCommandBufferBeginInfo();
        VulkanException.Check(_api.vkBeginCommandBuffer(cb, &begin), nameof(_api.vkBeginCommandBuffer), $"command list '{name}'");
        if (profile)
            WriteTimestamp(VkPipelineStageFlags.TopOfPipe);
    }

    public string Name { get; }

    /// <summary>Label for the dispatches recorded next (timings are grouped by it); null uses the pipeline name.</summary>
    public string? Region { get; set; }

    public int DispatchCount { get; private set; }

    /// <summary>Dispatches among <see cref="DispatchCount"/> whose workgroup counts the GPU decides.</summary>
    public int IndirectDispatchCount { get; private set; }

    public int BarrierCount { get; private set; }

    internal VkCommandBuffer Handle { get; }

    internal ulong LastSubmission { get; private set; }

    /// <summary>Records one dispatch without push constants.</summary>
    public void Dispatch(Pipeline pipeline, Groups groups, params ReadOnlySpan<Tensor> tensors) =>
        Dispatch(pipeline, groups, ReadOnlySpan<byte>.Empty, tensors);

    /// <summary>Records one dispatch; <paramref name="push"/> is the shader's push-constant block.</summary>
    public void Dispatch<TPush>(Pipeline pipeline, Groups groups, in TPush push, params ReadOnlySpan<Tensor> tensors) where TPush : unmanaged
    {
        var bytes = new ReadOnlySpan<byte>(Unsafe.AsPointer(ref Unsafe.AsRef(in push)), sizeof(TPush));
        Dispatch(pipeline, groups, bytes, tensors);
    }

    /// <summary>
    /// Records one dispatch whose workgroup counts are the three uint32 of <paramref name="arguments"/>
    /// (x, y, z; any of them 0 makes it a no-op), written by earlier work on the GPU. The writer must
    /// keep each count within the device's maxComputeWorkGroupCount.
    /// </summary>
    public void DispatchIndirect<TPush>(Pipeline pipeline, Tensor arguments, in TPush push, params ReadOnlySpan<Tensor> tensors) where TPush : unmanaged
    {
        var bytes = new ReadOnlySpan<byte>(Unsafe.AsPointer(ref Unsafe.AsRef(in push)), sizeof(TPush));
        if (arguments.Type != DataType.UInt32 || arguments.ElementCount != 3 || !arguments.IsContiguous || arguments.ByteOffset % 4 != 0)
            throw new EngineException($"Indirect dispatch of {pipeline}: arguments {arguments} must be 3 contiguous uint32 (x, y, z) at a 4-byte aligned offset.");
        Dispatch(pipeline, default, arguments, bytes, tensors);
    }

    private void Dispatch(Pipeline pipeline, Groups groups, ReadOnlySpan<byte> push, ReadOnlySpan<Tensor> tensors) =>
        Dispatch(pipeline, groups, null, push, tensors);

    private void Dispatch(Pipeline pipeline, Groups groups, Tensor? arguments, ReadOnlySpan<byte> push, ReadOnlySpan<Tensor> tensors)
    {
        ThrowIfFinished();
        var bindings = pipeline.Layout.Bindings;
        if (tensors.Length != bindings.Count)
            throw new EngineException($"Dispatch of {pipeline}: the shader has {bindings.Count} bindings ({string.Join(", ", bindings.Select(b => b.Name))}) but {tensors.Length} tensors were given.");
        if (push.Length > Pipeline.PushConstantBytes)
            throw new EngineException($"Dispatch of {pipeline}: {push.Length} bytes of push constants, at most {Pipeline.PushConstantBytes}.");
        var limits = _device.Limits;
        if (arguments is null && (groups.X == 0 || groups.Y == 0 || groups.Z == 0))
            return; // nothing to do: an empty tensor
        if (arguments is null && groups.X > limits.maxComputeWorkGroupCount[0] || groups.Y > limits.maxComputeWorkGroupCount[1] || groups.Z > limits.maxComputeWorkGroupCount[2])
            throw new EngineException($"Dispatch of {pipeline}: {groups} workgroups exceed the device limit " +
                $"{limits.maxComputeWorkGroupCount[0]}x{limits.maxComputeWorkGroupCount[1]}x{limits.maxComputeWorkGroupCount[2]}.");

        var set = AllocateSet(pipeline);
        var writes = stackalloc VkWriteDescriptorSet[bindings.Count];
        var bufferInfos = stackalloc VkDescriptorBufferInfo[bindings.Count];
        var views = stackalloc VkBufferView[bindings.Count];
        Span<PendingAccess> accesses = stackalloc PendingAccess[bindings.Count + 1];
        for (var i = 0; i < bindings.Count; i++)
        {
            var binding = bindings[i];
            var tensor = tensors[i];
            if (tensor.Buffer.Device != _device)
                throw new EngineException($"Dispatch of {pipeline}: {tensor} belongs to another device.");
            _buffers.Add(tensor.Buffer);
            writes[i] = new VkWriteDescriptorSet { dstSet = set, dstBinding = binding.Binding, descriptorCount = 1, descriptorType = Pipeline.DescriptorType(binding.Kind) };
            ulong range;
            if (binding.Kind == BindingKind.StorageBuffer)
            {
                range = tensor.BindingRange(VkFormat.R32Sfloat);
                CheckBinding(pipeline, binding, tensor, range, limits.maxStorageBufferRange, limits.minStorageBufferOffsetAlignment);
                bufferInfos[i] = new VkDescriptorBufferInfo { buffer = tensor.Buffer.Handle, offset = tensor.ByteOffset, range = range };
                writes[i].pBufferInfo = &bufferInfos[i];
            }
            else
            {
                if ((tensor.Type == DataType.Float16) != (binding.TexelFormat == VkFormat.R16G16B16A16Sfloat))
                    throw new EngineException($"Dispatch of {pipeline}: binding '{binding.Name}' reads {binding.TexelFormat} texels, which {tensor} does not hold.");
                range = tensor.BindingRange(binding.TexelFormat);
                CheckBinding(pipeline, binding, tensor, range, limits.maxTexelBufferElements * Tensor.TexelSize(binding.TexelFormat), limits.minTexelBufferOffsetAlignment);
                views[i] = tensor.Buffer.TexelView(tensor.ByteOffset, range, binding.TexelFormat);
                writes[i].pTexelBufferView = &views[i];
            }
            accesses[i] = new PendingAccess(tensor.Buffer.Handle, tensor.ByteOffset, tensor.ByteOffset + range, binding.Access, VkPipelineStageFlags.ComputeShader);
        }
        _api.vkUpdateDescriptorSets(_api.Device, (uint)bindings.Count, writes, 0, null);

        if (arguments is not null)
        {
            _buffers.Add(arguments.Buffer);
            accesses[bindings.Count] = new PendingAccess(arguments.Buffer.Handle, arguments.ByteOffset, arguments.ByteOffset + 12, Access.Read, VkPipelineStageFlags.DrawIndirect);
        }
        Synchronize(arguments is null ? accesses[..bindings.Count] : accesses);
        _api.vkCmdBindPipeline(Handle, VkPipelineBindPoint.Compute, pipeline.Handle);
        _api.vkCmdBindDescriptorSets(Handle, VkPipelineBindPoint.Compute, pipeline.PipelineLayout, 0, 1, &set, 0, null);
        if (push.Length > 0)
        {
            fixed (byte* p = push)
                _api.vkCmdPushConstants(Handle, pipeline.PipelineLayout, VkShaderStageFlags.Compute, 0, (uint)push.Length, p);
        }
        if (arguments is null)
        {
            _api.vkCmdDispatch(Handle, groups.X, groups.Y, groups.Z);
        }
        else
        {
            _api.vkCmdDispatchIndirect(Handle, arguments.Buffer.Handle, arguments.ByteOffset);
            IndirectDispatchCount++;
        }
        DispatchCount++;
        if (_profile)
        {
            WriteTimestamp(VkPipelineStageFlags.BottomOfPipe);
            _timedDispatches.Add((Region ?? pipeline.Name, pipeline.Name));
        }
    }

    private static void CheckBinding(Pipeline pipeline, ShaderBinding binding, Tensor tensor, ulong range, ulong maxRange, ulong alignment)
    {
        if (range > maxRange)
            throw new EngineException($"Dispatch of {pipeline}: binding '{binding.Name}' = {tensor} spans {range} bytes, more than the device allows for a {binding.Kind} ({maxRange} bytes); split the tensor.");
        if (tensor.ByteOffset % alignment != 0)
            throw new EngineException($"Dispatch of {pipeline}: binding '{binding.Name}' = {tensor} starts at byte {tensor.ByteOffset}, not a multiple of the device's {alignment}-byte alignment for a {binding.Kind}.");
    }

    /// <summary>Copies bytes between buffers (ordered against dispatches like any other access).</summary>
    public void CopyBuffer(GpuBuffer source, ulong sourceOffset, GpuBuffer destination, ulong destinationOffset, ulong size)
    {
        ThrowIfFinished();
        _buffers.Add(source);
        _buffers.Add(destination);
        Span<PendingAccess> accesses =
        [
            new(source.Handle, sourceOffset, sourceOffset + size, Access.Read, VkPipelineStageFlags.Transfer),
            new(destination.Handle, destinationOffset, destinationOffset + size, Access.Write, VkPipelineStageFlags.Transfer),
        ];
        Synchronize(accesses);
        var region = new VkBufferCopy { srcOffset = sourceOffset, dstOffset = destinationOffset, size = size };
        _api.vkCmdCopyBuffer(Handle, source.Handle, destination.Handle, 1, &region);
    }

    /// <summary>Copies a contiguous tensor into another of the same byte size.</summary>
    public void Copy(Tensor source, Tensor destination)
    {
        if (!source.IsContiguous || !destination.IsContiguous || source.ByteExtent != destination.ByteExtent)
            throw new EngineException($"Copy from {source} to {destination}: both must be contiguous and of the same byte size.");
        CopyBuffer(source.Buffer, source.ByteOffset, destination.Buffer, destination.ByteOffset, source.ByteExtent);
    }

    /// <summary>Fills a tensor's bytes with a repeated 32-bit pattern (0 for zeros).</summary>
    public void Fill(Tensor tensor, uint pattern = 0)
    {
        ThrowIfFinished();
        _buffers.Add(tensor.Buffer);
        var size = (tensor.ByteExtent + 3) / 4 * 4;
        Span<PendingAccess> accesses = [new(tensor.Buffer.Handle, tensor.ByteOffset, tensor.ByteOffset + size, Access.Write, VkPipelineStageFlags.Transfer)];
        Synchronize(accesses);
        _api.vkCmdFillBuffer(Handle, tensor.Buffer.Handle, tensor.ByteOffset, size, pattern);
    }

    /// <summary>
    /// Emits one barrier for every earlier access the new ones conflict with: read-after-write,
    /// write-after-read and write-after-write on overlapping bytes of the same buffer.
    /// </summary>
    private void Synchronize(ReadOnlySpan<PendingAccess> accesses)
    {
        var barriers = new List<VkBufferMemoryBarrier>();
        var srcStages = VkPipelineStageFlags.None;
        var dstStages = VkPipelineStageFlags.None;
        for (var p = _pending.Count - 1; p >= 0; p--)
        {
            var earlier = _pending[p];
            var conflicts = false;
            foreach (var access in accesses)
            {
                conflicts |= access.Buffer == earlier.Buffer && access.Start < earlier.End && earlier.Start < access.End
                    && ((earlier.Access & Access.Write) != 0 || (access.Access & Access.Write) != 0);
            }
            if (!conflicts)
                continue;
            // The earlier access leaves the pending list, so the barrier must order it before every later
            // command that touches any of its bytes, of either kind and either access (a fill after a
            // dispatch that only read them; a read of bytes an earlier write covered but the write that
            // triggered this barrier did not): both stages and all access kinds are in its destination scope.
            barriers.Add(new VkBufferMemoryBarrier
            {
                srcAccessMask = (earlier.Access & Access.Write) != 0 ? AccessMask(earlier) & (VkAccessFlags.ShaderWrite | VkAccessFlags.TransferWrite) : VkAccessFlags.None,
                dstAccessMask = AllAccess,
                buffer = earlier.Buffer,
                offset = earlier.Start,
                size = earlier.End - earlier.Start,
            });
            srcStages |= earlier.Stage;
            dstStages |= VkPipelineStageFlags.ComputeShader | VkPipelineStageFlags.Transfer | VkPipelineStageFlags.DrawIndirect;
            _pending.RemoveAt(p);
        }
        if (barriers.Count > 0)
        {
            var array = barriers.ToArray();
            fixed (VkBufferMemoryBarrier* pb = array)
                _api.vkCmdPipelineBarrier(Handle, srcStages, dstStages, 0, 0, null, (uint)array.Length, pb, 0, null);
            BarrierCount++;
        }
        _pending.AddRange(accesses);
    }

    private static VkAccessFlags AccessMask(PendingAccess access)
    {
        var transfer = access.Stage == VkPipelineStageFlags.Transfer;
        var mask = access.Stage == VkPipelineStageFlags.DrawIndirect ? VkAccessFlags.IndirectCommandRead : VkAccessFlags.None;
        if ((access.Access & Access.Read) != 0)
            mask |= transfer ? VkAccessFlags.TransferRead : VkAccessFlags.ShaderRead;
        if ((access.Access & Access.Write) != 0)
            mask |= transfer ? VkAccessFlags.TransferWrite : VkAccessFlags.ShaderWrite;
        return mask;
    }

    /// <summary>
    /// Copies a tightly packed B8G8R8A8 buffer into a swapchain image and leaves the image ready to
    /// present (layout transitions recorded here: images are the presenter's, not the ops').
    /// </summary>
    internal void CopyToSwapchainImage(VkSwapchainApi swapchain, GpuBuffer source, VkImage image, uint width, uint height)
    {
        ThrowIfFinished();
        _buffers.Add(source);
        var size = (ulong)width * height * 4;
        Span<PendingAccess> accesses = [new(source.Handle, 0, size, Access.Read, VkPipelineStageFlags.Transfer)];
        Synchronize(accesses);
        var range = new VkImageSubresourceRange { aspectMask = VkImageAspectFlags.Color, levelCount = 1, layerCount = 1 };
        var toTransfer = new VkImageMemoryBarrier
        {
            dstAccessMask = VkAccessFlags.TransferWrite,
            oldLayout = VkImageLayout.Undefined,
            newLayout = VkImageLayout.TransferDstOptimal,
            image = image,
            subresourceRange = range,
        };
        _api.vkCmdPipelineBarrier(Handle, VkPipelineStageFlags.TopOfPipe, VkPipelineStageFlags.Transfer, 0, 0, null, 0, null, 1, &toTransfer);
        var region = new VkBufferImageCopy
        {
            imageSubresource = new VkImageSubresourceLayers { aspectMask = VkImageAspectFlags.Color, layerCount = 1 },
            imageExtent = new VkExtent3D { width = width, height = height, depth = 1 },
        };
        swapchain.vkCmdCopyBufferToImage(Handle, source.Handle, image, VkImageLayout.TransferDstOptimal, 1, &region);
        var toPresent = new VkImageMemoryBarrier
        {
            srcAccessMask = VkAccessFlags.TransferWrite,
            oldLayout = VkImageLayout.TransferDstOptimal,
            newLayout = VkImageLayout.PresentSrcKhr,
            image = image,
            subresourceRange = range,
        };
        _api.vkCmdPipelineBarrier(Handle, VkPipelineStageFlags.Transfer, VkPipelineStageFlags.BottomOfPipe, 0, 0, null, 0, null, 1, &toPresent);
        BarrierCount += 2;
    }

    /// <summary>
    /// Orders everything recorded next after the work of earlier submissions on the queue (submission
    /// order alone makes no memory visible): for a list that consumes another list's results.
    /// </summary>
    internal void WaitForEarlierSubmissions()
    {
        ThrowIfFinished();
        var barrier = new VkMemoryBarrier
        {
            srcAccessMask = VkAccessFlags.ShaderWrite | VkAccessFlags.TransferWrite,
            dstAccessMask = AllAccess,
        };
        var stages = VkPipelineStageFlags.ComputeShader | VkPipelineStageFlags.Transfer;
        _api.vkCmdPipelineBarrier(Handle, stages, stages | VkPipelineStageFlags.DrawIndirect, 0, 1, &barrier, 0, null, 0, null);
        BarrierCount++;
    }

    /// <summary>
    /// Ends recording. Results written by the GPU become visible to the host once a submission
    /// completes, and to every later submission on the device's queue (a barrier's second scope
    /// reaches commands later in submission order): so a frame's clip copy feeds the network run
    /// submitted after it, and the window copies the overlay image the frame drew, without the host
    /// waiting in between.
    /// </summary>
    public void Finish()
    {
        ThrowIfFinished();
        var barrier = new VkMemoryBarrier { srcAccessMask = VkAccessFlags.ShaderWrite | VkAccessFlags.TransferWrite, dstAccessMask = AllAccess | VkAccessFlags.HostRead };
        var stages = VkPipelineStageFlags.ComputeShader | VkPipelineStageFlags.Transfer;
        _api.vkCmdPipelineBarrier(Handle, stages, stages | VkPipelineStageFlags.DrawIndirect | VkPipelineStageFlags.Host, 0, 1, &barrier, 0, null, 0, null);
        VulkanException.Check(_api.vkEndCommandBuffer(Handle), nameof(_api.vkEndCommandBuffer), $"command list '{Name}'");
        _finished = true;
    }

    /// <summary>GPU time of each dispatch of the last completed submission (profiled lists only).</summary>
    public IReadOnlyList<DispatchTiming> Timings()
    {
        if (!_profile)
            throw new EngineException($"Command list '{Name}' was not created with profiling on.");
        if (LastSubmission == 0)
            throw new EngineException($"Command list '{Name}' has not run yet; its timings exist after a submission.");
        _device.Wait(LastSubmission);
        var stamps = new ulong[_queryCount];
        for (var p = 0; p < _queryPools.Count; p++)
        {
            var count = Math.Min(QueriesPerPool, _queryCount - (uint)p * QueriesPerPool);
            fixed (ulong* dst = &stamps[p * (int)QueriesPerPool])
            {
                VulkanException.Check(_api.vkGetQueryPoolResults(_api.Device, _queryPools[p], 0, count, count * 8, dst, 8, VkQueryResultFlags.Result64 | VkQueryResultFlags.Wait),
                    nameof(_api.vkGetQueryPoolResults), $"timestamps of command list '{Name}'");
            }
        }
        var mask = _device.TimestampValidBits >= 64 ? ulong.MaxValue : (1ul << (int)_device.TimestampValidBits) - 1;
        var period = _device.Limits.timestampPeriod;
        var timings = new DispatchTiming[_timedDispatches.Count];
        for (var i = 0; i < timings.Length; i++)
        {
            var ticks = ((stamps[i + 1] & mask) - (stamps[i] & mask)) & mask;
            timings[i] = new DispatchTiming(_timedDispatches[i].Region, _timedDispatches[i].Pipeline, ticks * period / 1e6);
        }
        return timings;
    }

    private void WriteTimestamp(VkPipelineStageFlags stage)
    {
        var index = _queryCount % QueriesPerPool;
        if (index == 0)
        {
            var info = new VkQueryPoolCreateInfo { queryType = VkQueryType.Timestamp, queryCount = QueriesPerPool };
            VkQueryPool pool;
            VulkanException.Check(_api.vkCreateQueryPool(_api.Device, &info, null, &pool), nameof(_api.vkCreateQueryPool), $"timestamps of command list '{Name}'");
            _queryPools.Add(pool);
            _api.vkCmdResetQueryPool(Handle, pool, 0, QueriesPerPool);
        }
        _api.vkCmdWriteTimestamp(Handle, stage, _queryPools[^1], index);
        _queryCount++;
    }

    private VkDescriptorSet AllocateSet(Pipeline pipeline)
    {
        var need = pipeline.Layout.Bindings.GroupBy(b => b.Kind).ToDictionary(g => g.Key, g => (uint)g.Count());
        var state = _descriptorPools.Count > 0 ? _descriptorPools[^1] : null;
        if (state is null || !state.Fits(need))
        {
            var sizes = stackalloc VkDescriptorPoolSize[3]
            {
                new() { type = VkDescriptorType.StorageBuffer, descriptorCount = DescriptorsPerPool },
                new() { type = VkDescriptorType.StorageTexelBuffer, descriptorCount = DescriptorsPerPool },
                new() { type = VkDescriptorType.UniformTexelBuffer, descriptorCount = DescriptorsPerPool },
            };
            var info = new VkDescriptorPoolCreateInfo { maxSets = SetsPerPool, poolSizeCount = 3, pPoolSizes = sizes };
            VkDescriptorPool pool;
            VulkanException.Check(_api.vkCreateDescriptorPool(_api.Device, &info, null, &pool), nameof(_api.vkCreateDescriptorPool), $"command list '{Name}'");
            state = new DescriptorPoolState(pool);
            _descriptorPools.Add(state);
        }
        state.Take(need);
        var layout = pipeline.SetLayout;
        var alloc = new VkDescriptorSetAllocateInfo { descriptorPool = state.Pool, descriptorSetCount = 1, pSetLayouts = &layout };
        VkDescriptorSet set;
        VulkanException.Check(_api.vkAllocateDescriptorSets(_api.Device, &alloc, &set), nameof(_api.vkAllocateDescriptorSets), $"{pipeline} in command list '{Name}'");
        return set;
    }

    internal void ThrowIfNotFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_finished)
            throw new EngineException($"Command list '{Name}' must be finished before it is submitted.");
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            throw new EngineException($"Command list '{Name}' is finished; record into a new one.");
    }

    internal void MarkSubmitted(ulong value)
    {
        LastSubmission = value;
        foreach (var buffer in _buffers)
            buffer.LastUse = Math.Max(buffer.LastUse, value);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        var api = _api;
        var pool = _pool;
        var descriptorPools = _descriptorPools.Select(d => d.Pool).ToArray();
        var queryPools = _queryPools.ToArray();
        _device.DestroyAfter(LastSubmission, () =>
        {
            foreach (var d in descriptorPools)
                api.vkDestroyDescriptorPool(api.Device, d, null);
            foreach (var q in queryPools)
                api.vkDestroyQueryPool(api.Device, q, null);
            api.vkDestroyCommandPool(api.Device, pool, null);
        });
    }

    private readonly record struct PendingAccess(VkBuffer Buffer, ulong Start, ulong End, Access Access, VkPipelineStageFlags Stage);

    private sealed class DescriptorPoolState(VkDescriptorPool pool)
    {
        private uint _sets = SetsPerPool;
        private readonly Dictionary<BindingKind, uint> _left = new()
        {
            [BindingKind.StorageBuffer] = DescriptorsPerPool,
            [BindingKind.StorageTexelBuffer] = DescriptorsPerPool,
            [BindingKind.UniformTexelBuffer] = DescriptorsPerPool,
        };

        public VkDescriptorPool Pool { get; } = pool;

        public bool Fits(Dictionary<BindingKind, uint> need) => _sets > 0 && need.All(n => _left[n.Key] >= n.Value);

        public void Take(Dictionary<BindingKind, uint> need)
        {
            _sets--;
            foreach (var (kind, count) in need)
                _left[kind] -= count;
        }
    }
}
