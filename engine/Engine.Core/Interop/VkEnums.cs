namespace Engine.Interop;

// The subset of Vulkan enums and flags the engine uses; values from vulkan_core.h.
#pragma warning disable CA1707, CA1008, CA1028, CA1711, CA1714, CA1027 // names and types mirror the C header

public enum VkResult
{
    Success = 0,
    NotReady = 1,
    Timeout = 2,
    EventSet = 3,
    EventReset = 4,
    Incomplete = 5,
    ErrorOutOfHostMemory = -1,
    ErrorOutOfDeviceMemory = -2,
    ErrorInitializationFailed = -3,
    ErrorDeviceLost = -4,
    ErrorMemoryMapFailed = -5,
    ErrorLayerNotPresent = -6,
    ErrorExtensionNotPresent = -7,
    ErrorFeatureNotPresent = -8,
    ErrorIncompatibleDriver = -9,
    ErrorTooManyObjects = -10,
    ErrorFormatNotSupported = -11,
    ErrorFragmentedPool = -12,
    ErrorUnknown = -13,
    ErrorOutOfPoolMemory = -1000069000,
    ErrorInvalidExternalHandle = -1000072003,
    ErrorSurfaceLostKhr = -1000000000,
    ErrorNativeWindowInUseKhr = -1000000001,
    SuboptimalKhr = 1000001003,
    ErrorOutOfDateKhr = -1000001004,
}

public enum VkStructureType
{
    ApplicationInfo = 0,
    InstanceCreateInfo = 1,
    DeviceQueueCreateInfo = 2,
    DeviceCreateInfo = 3,
    SubmitInfo = 4,
    MemoryAllocateInfo = 5,
    MappedMemoryRange = 6,
    FenceCreateInfo = 8,
    SemaphoreCreateInfo = 9,
    QueryPoolCreateInfo = 11,
    BufferCreateInfo = 12,
    BufferViewCreateInfo = 13,
    ShaderModuleCreateInfo = 16,
    PipelineCacheCreateInfo = 17,
    PipelineShaderStageCreateInfo = 18,
    ComputePipelineCreateInfo = 29,
    PipelineLayoutCreateInfo = 30,
    DescriptorSetLayoutCreateInfo = 32,
    DescriptorPoolCreateInfo = 33,
    DescriptorSetAllocateInfo = 34,
    WriteDescriptorSet = 35,
    CommandPoolCreateInfo = 39,
    CommandBufferAllocateInfo = 40,
    CommandBufferBeginInfo = 42,
    BufferMemoryBarrier = 44,
    MemoryBarrier = 46,
    PhysicalDeviceSubgroupProperties = 1000094000,
    PhysicalDeviceFeatures2 = 1000059000,
    PhysicalDeviceProperties2 = 1000059001,
    PhysicalDeviceIdProperties = 1000071004,
    PhysicalDeviceVulkan11Features = 49,
    PhysicalDeviceVulkan12Features = 51,
    PhysicalDeviceVulkan13Features = 53,
    PhysicalDeviceDriverProperties = 1000196000,
    SemaphoreTypeCreateInfo = 1000207002,
    TimelineSemaphoreSubmitInfo = 1000207003,
    SemaphoreWaitInfo = 1000207004,
    DebugUtilsObjectNameInfoExt = 1000128000,
    DebugUtilsMessengerCallbackDataExt = 1000128003,
    DebugUtilsMessengerCreateInfoExt = 1000128004,
    ValidationFeaturesExt = 1000247000,
    ImageMemoryBarrier = 45,
    SwapchainCreateInfoKhr = 1000001000,
    PresentInfoKhr = 1000001001,
}

public enum VkPhysicalDeviceType
{
    Other = 0,
    IntegratedGpu = 1,
    DiscreteGpu = 2,
    VirtualGpu = 3,
    Cpu = 4,
}

public enum VkObjectType
{
    Unknown = 0,
    Instance = 1,
    PhysicalDevice = 2,
    Device = 3,
    Queue = 4,
    Semaphore = 5,
    CommandBuffer = 6,
    Fence = 7,
    DeviceMemory = 8,
    Buffer = 9,
    QueryPool = 12,
    BufferView = 13,
    ShaderModule = 15,
    PipelineCache = 16,
    PipelineLayout = 17,
    Pipeline = 19,
    DescriptorSetLayout = 20,
    DescriptorPool = 22,
    DescriptorSet = 23,
    CommandPool = 25,
}

[Flags]
public enum VkQueueFlags : uint
{
    None = 0,
    Graphics = 0x1,
    Compute = 0x2,
    Transfer = 0x4,
}

[Flags]
public enum VkMemoryPropertyFlags : uint
{
    None = 0,
    DeviceLocal = 0x1,
    HostVisible = 0x2,
    HostCoherent = 0x4,
    HostCached = 0x8,
    LazilyAllocated = 0x10,
}

[Flags]
public enum VkMemoryHeapFlags : uint
{
    None = 0,
    DeviceLocal = 0x1,
}

[Flags]
public enum VkBufferUsageFlags : uint
{
    None = 0,
    TransferSrc = 0x1,
    TransferDst = 0x2,
    UniformTexelBuffer = 0x4,
    StorageTexelBuffer = 0x8,
    UniformBuffer = 0x10,
    StorageBuffer = 0x20,
    IndirectBuffer = 0x100,
}

[Flags]
public enum VkShaderStageFlags : uint
{
    None = 0,
    Compute = 0x20,
}

[Flags]
public enum VkPipelineStageFlags : uint
{
    None = 0,
    TopOfPipe = 0x1,
    DrawIndirect = 0x2,
    ComputeShader = 0x800,
    Transfer = 0x1000,
    BottomOfPipe = 0x2000,
    Host = 0x4000,
    AllCommands = 0x10000,
}

[Flags]
public enum VkAccessFlags : uint
{
    None = 0,
    IndirectCommandRead = 0x1,
    ShaderRead = 0x20,
    ShaderWrite = 0x40,
    TransferRead = 0x800,
    TransferWrite = 0x1000,
    HostRead = 0x2000,
    HostWrite = 0x4000,
}

[Flags]
public enum VkSubgroupFeatureFlags : uint
{
    None = 0,
    Basic = 0x1,
    Vote = 0x2,
    Arithmetic = 0x4,
    Ballot = 0x8,
    Shuffle = 0x10,
    ShuffleRelative = 0x20,
    Clustered = 0x40,
    Quad = 0x80,
}

public enum VkDescriptorType
{
    UniformTexelBuffer = 4,
    StorageTexelBuffer = 5,
    UniformBuffer = 6,
    StorageBuffer = 7,
}

public enum VkFormat
{
    Undefined = 0,
    R32Sfloat = 100,
    R32Uint = 98,
    R32G32B32A32Sfloat = 109,
    R32G32B32A32Uint = 107,
    R16G16B16A16Sfloat = 97,
    B8G8R8A8Unorm = 44,
}

public enum VkImageLayout
{
    Undefined = 0,
    TransferDstOptimal = 7,
    PresentSrcKhr = 1000001002,
}

public enum VkPresentModeKHR
{
    Immediate = 0,
    Mailbox = 1,
    Fifo = 2,
}

[Flags]
public enum VkFormatFeatureFlags : uint
{
    UniformTexelBuffer = 0x8,
    StorageTexelBuffer = 0x10,
}

[Flags]
public enum VkImageUsageFlags : uint
{
    TransferDst = 0x2,
}

[Flags]
public enum VkImageAspectFlags : uint
{
    Color = 0x1,
}

public enum VkPipelineBindPoint
{
    Compute = 1,
}

public enum VkCommandBufferLevel
{
    Primary = 0,
}

[Flags]
public enum VkCommandBufferUsageFlags : uint
{
    None = 0,
    OneTimeSubmit = 0x1,
    SimultaneousUse = 0x4,
}

[Flags]
public enum VkCommandPoolCreateFlags : uint
{
    None = 0,
    Transient = 0x1,
    ResetCommandBuffer = 0x2,
}

[Flags]
public enum VkDescriptorPoolCreateFlags : uint
{
    None = 0,
    FreeDescriptorSet = 0x1,
}

public enum VkQueryType
{
    Timestamp = 2,
}

[Flags]
public enum VkQueryResultFlags : uint
{
    None = 0,
    Result64 = 0x1,
    Wait = 0x2,
    WithAvailability = 0x4,
}

public enum VkSemaphoreType
{
    Binary = 0,
    Timeline = 1,
}

public enum VkSharingMode
{
    Exclusive = 0,
}

[Flags]
public enum VkDebugUtilsMessageSeverityFlagsEXT : uint
{
    None = 0,
    Verbose = 0x1,
    Info = 0x10,
    Warning = 0x100,
    Error = 0x1000,
}

[Flags]
public enum VkDebugUtilsMessageTypeFlagsEXT : uint
{
    None = 0,
    General = 0x1,
    Validation = 0x2,
    Performance = 0x4,
}

public enum VkValidationFeatureEnableEXT
{
    GpuAssisted = 0,
    GpuAssistedReserveBindingSlot = 1,
    BestPractices = 2,
    DebugPrintf = 3,
    SynchronizationValidation = 4,
}
