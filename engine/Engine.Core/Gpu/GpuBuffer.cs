using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// One VkBuffer with its own memory. Host-mapped for its whole life when the memory type allows
/// (unified memory such as lavapipe's, or staging buffers); otherwise reached through staging copies.
/// Destruction is deferred until the GPU is done with the last submission that used it.
/// </summary>
public sealed unsafe class GpuBuffer : IDisposable
{
    private readonly Dictionary<(ulong Offset, ulong Range, VkFormat Format), VkBufferView> _views = [];
    private readonly ulong _memorySize;
    private bool _disposed;

    internal GpuBuffer(Device device, string name, ulong size, VkBuffer handle, VkDeviceMemory memory, ulong memorySize, byte* mapped)
    {
        _memorySize = memorySize;
        Device = device;
        Name = name;
        Size = size;
        Handle = handle;
        Memory = memory;
        Mapped = mapped;
    }

    public Device Device { get; }

    public string Name { get; }

    public ulong Size { get; }

    public VkBuffer Handle { get; }

    internal VkDeviceMemory Memory { get; }

    /// <summary>The host address of byte 0, or null when the memory is not host-visible.</summary>
    internal byte* Mapped { get; }

    public bool IsMapped => Mapped != null;

    /// <summary>The timeline value of the last submission that used this buffer.</summary>
    internal ulong LastUse { get; set; }

    public override string ToString() => $"buffer '{Name}' ({Size} bytes)";

    /// <summary>A texel view of [offset, offset + range) in the given format, created once and kept with the buffer.</summary>
    internal VkBufferView TexelView(ulong offset, ulong range, VkFormat format)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_views)
        {
            if (_views.TryGetValue((offset, range, format), out var view))
                return view;
            var info = new VkBufferViewCreateInfo { buffer = Handle, format = format, offset = offset, range = range };
            VulkanException.Check(Device.Api.vkCreateBufferView(Device.Api.Device, &info, null, &view), nameof(Device.Api.vkCreateBufferView),
                $"a {format} view of {this} at offset {offset}, {range} bytes");
            _views[(offset, range, format)] = view;
            return view;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        VkBufferView[] views;
        lock (_views)
            views = [.. _views.Values];
        var api = Device.Api;
        var (device, handle, memory, memorySize, mapped) = (Device, Handle, Memory, _memorySize, Mapped != null);
        device.DestroyAfter(LastUse, () =>
        {
            foreach (var view in views)
                api.vkDestroyBufferView(api.Device, view, null);
            api.vkDestroyBuffer(api.Device, handle, null);
            if (mapped)
                api.vkUnmapMemory(api.Device, memory);
            device.FreeMemory(memory, memorySize);
        });
    }
}
