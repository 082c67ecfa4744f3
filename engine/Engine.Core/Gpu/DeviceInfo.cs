using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// What the engine knows about one Vulkan physical device, as listed by `engine devices`.
/// <paramref name="HalfTexelBuffers"/>: rgba16f storage texel buffers can be read, so weights can be stored as fp16.
/// </summary>
public sealed record DeviceInfo(
    int Index,
    string Name,
    VkPhysicalDeviceType Type,
    string DriverName,
    string DriverInfo,
    string ApiVersion,
    uint DriverVersion,
    uint VendorId,
    uint DeviceId,
    string DeviceUuid,
    IReadOnlyList<MemoryHeapInfo> MemoryHeaps,
    uint SubgroupSize,
    uint MaxStorageBufferRange,
    uint MaxTexelBufferElements,
    uint MaxComputeSharedMemory,
    uint MaxPushConstantsSize,
    bool Float16,
    bool Int8,
    bool Storage16Bit,
    bool HalfTexelBuffers,
    bool TimelineSemaphores,
    bool UnifiedMemory)
{
    /// <summary>Discrete before integrated before virtual before CPU: the order a user expects.</summary>
    public int Preference => Type switch
    {
        VkPhysicalDeviceType.DiscreteGpu => 4,
        VkPhysicalDeviceType.IntegratedGpu => 3,
        VkPhysicalDeviceType.VirtualGpu => 2,
        VkPhysicalDeviceType.Cpu => 1,
        _ => 0,
    };

    public string TypeName => Type switch
    {
        VkPhysicalDeviceType.DiscreteGpu => "discrete GPU",
        VkPhysicalDeviceType.IntegratedGpu => "integrated GPU",
        VkPhysicalDeviceType.VirtualGpu => "virtual GPU",
        VkPhysicalDeviceType.Cpu => "CPU",
        _ => "other",
    };
}

public sealed record MemoryHeapInfo(ulong Size, bool DeviceLocal);
