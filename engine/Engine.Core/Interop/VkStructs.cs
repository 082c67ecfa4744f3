using System.Runtime.InteropServices;

namespace Engine.Interop;

// The subset of Vulkan structures the engine uses, laid out as in vulkan_core.h (LP64). Structures
// that start with sType get it from their parameterless constructor, so `new VkXxx { ... }` is valid
// as written. The large query structures use explicit layouts with only the fields the engine reads;
// their sizes and offsets were taken from the C header with offsetof/sizeof.
#pragma warning disable CA1051, CA1815, CA1707, IDE1006 // plain C structs

public unsafe struct VkApplicationInfo()
{
    public VkStructureType sType = VkStructureType.ApplicationInfo;
    public void* pNext;
    public byte* pApplicationName;
    public uint applicationVersion;
    public byte* pEngineName;
    public uint engineVersion;
    public uint apiVersion;
}

public unsafe struct VkInstanceCreateInfo()
{
    public VkStructureType sType = VkStructureType.InstanceCreateInfo;
    public void* pNext;
    public uint flags;
    public VkApplicationInfo* pApplicationInfo;
    public uint enabledLayerCount;
    public byte** ppEnabledLayerNames;
    public uint enabledExtensionCount;
    public byte** ppEnabledExtensionNames;
}

public unsafe struct VkValidationFeaturesEXT()
{
    public VkStructureType sType = VkStructureType.ValidationFeaturesExt;
    public void* pNext;
    public uint enabledValidationFeatureCount;
    public VkValidationFeatureEnableEXT* pEnabledValidationFeatures;
    public uint disabledValidationFeatureCount;
    public void* pDisabledValidationFeatures;
}

public unsafe struct VkLayerProperties
{
    public fixed byte layerName[256];
    public uint specVersion;
    public uint implementationVersion;
    public fixed byte description[256];
}

public unsafe struct VkExtensionProperties
{
    public fixed byte extensionName[256];
    public uint specVersion;
}

public unsafe struct VkDebugUtilsMessengerCreateInfoEXT()
{
    public VkStructureType sType = VkStructureType.DebugUtilsMessengerCreateInfoExt;
    public void* pNext;
    public uint flags;
    public VkDebugUtilsMessageSeverityFlagsEXT messageSeverity;
    public VkDebugUtilsMessageTypeFlagsEXT messageType;
    public delegate* unmanaged<VkDebugUtilsMessageSeverityFlagsEXT, VkDebugUtilsMessageTypeFlagsEXT, VkDebugUtilsMessengerCallbackDataEXT*, void*, uint> pfnUserCallback;
    public void* pUserData;
}

public unsafe struct VkDebugUtilsObjectNameInfoEXT
{
    public VkStructureType sType;
    public void* pNext;
    public VkObjectType objectType;
    public ulong objectHandle;
    public byte* pObjectName;
}

public unsafe struct VkDebugUtilsMessengerCallbackDataEXT
{
    public VkStructureType sType;
    public void* pNext;
    public uint flags;
    public byte* pMessageIdName;
    public int messageIdNumber;
    public byte* pMessage;
    public uint queueLabelCount;
    public void* pQueueLabels;
    public uint cmdBufLabelCount;
    public void* pCmdBufLabels;
    public uint objectCount;
    public VkDebugUtilsObjectNameInfoEXT* pObjects;
}

[StructLayout(LayoutKind.Explicit, Size = 504)]
public unsafe struct VkPhysicalDeviceLimits
{
    [FieldOffset(20)] public uint maxTexelBufferElements;
    [FieldOffset(28)] public uint maxStorageBufferRange;
    [FieldOffset(32)] public uint maxPushConstantsSize;
    [FieldOffset(36)] public uint maxMemoryAllocationCount;
    [FieldOffset(76)] public uint maxPerStageDescriptorStorageBuffers;
    [FieldOffset(216)] public uint maxComputeSharedMemorySize;
    [FieldOffset(220)] public fixed uint maxComputeWorkGroupCount[3];
    [FieldOffset(232)] public uint maxComputeWorkGroupInvocations;
    [FieldOffset(236)] public fixed uint maxComputeWorkGroupSize[3];
    [FieldOffset(312)] public ulong minTexelBufferOffsetAlignment;
    [FieldOffset(328)] public ulong minStorageBufferOffsetAlignment;
    [FieldOffset(420)] public uint timestampComputeAndGraphics;
    [FieldOffset(424)] public float timestampPeriod;
    [FieldOffset(496)] public ulong nonCoherentAtomSize;
}

[StructLayout(LayoutKind.Explicit, Size = 824)]
public unsafe struct VkPhysicalDeviceProperties
{
    [FieldOffset(0)] public uint apiVersion;
    [FieldOffset(4)] public uint driverVersion;
    [FieldOffset(8)] public uint vendorID;
    [FieldOffset(12)] public uint deviceID;
    [FieldOffset(16)] public VkPhysicalDeviceType deviceType;
    [FieldOffset(20)] public fixed byte deviceName[256];
    [FieldOffset(276)] public fixed byte pipelineCacheUUID[16];
    [FieldOffset(296)] public VkPhysicalDeviceLimits limits;
}

public unsafe struct VkPhysicalDeviceProperties2()
{
    public VkStructureType sType = VkStructureType.PhysicalDeviceProperties2;
    public void* pNext;
    public VkPhysicalDeviceProperties properties;
}

public unsafe struct VkPhysicalDeviceSubgroupProperties()
{
    public VkStructureType sType = VkStructureType.PhysicalDeviceSubgroupProperties;
    public void* pNext;
    public uint subgroupSize;
    public VkShaderStageFlags supportedStages;
    public VkSubgroupFeatureFlags supportedOperations;
    public uint quadOperationsInAllStages;
}

public unsafe struct VkPhysicalDeviceIDProperties()
{
    public VkStructureType sType = VkStructureType.PhysicalDeviceIdProperties;
    public void* pNext;
    public fixed byte deviceUUID[16];
    public fixed byte driverUUID[16];
    public fixed byte deviceLUID[8];
    public uint deviceNodeMask;
    public uint deviceLUIDValid;
}

[StructLayout(LayoutKind.Explicit, Size = 536)]
public unsafe struct VkPhysicalDeviceDriverProperties
{
    [FieldOffset(0)] public VkStructureType sType;
    [FieldOffset(8)] public void* pNext;
    [FieldOffset(16)] public uint driverID;
    [FieldOffset(20)] public fixed byte driverName[256];
    [FieldOffset(276)] public fixed byte driverInfo[256];
}

[StructLayout(LayoutKind.Explicit, Size = 220)]
public struct VkPhysicalDeviceFeatures
{
    [FieldOffset(124)] public uint shaderStorageImageReadWithoutFormat;
    [FieldOffset(128)] public uint shaderStorageImageWriteWithoutFormat;
    [FieldOffset(156)] public uint shaderFloat64;
    [FieldOffset(160)] public uint shaderInt64;
    [FieldOffset(164)] public uint shaderInt16;
}

[StructLayout(LayoutKind.Explicit, Size = 240)]
public unsafe struct VkPhysicalDeviceFeatures2
{
    [FieldOffset(0)] public VkStructureType sType;
    [FieldOffset(8)] public void* pNext;
    [FieldOffset(16)] public VkPhysicalDeviceFeatures features;
}

[StructLayout(LayoutKind.Explicit, Size = 64)]
public unsafe struct VkPhysicalDeviceVulkan11Features
{
    [FieldOffset(0)] public VkStructureType sType;
    [FieldOffset(8)] public void* pNext;
    [FieldOffset(16)] public uint storageBuffer16BitAccess;
}

[StructLayout(LayoutKind.Explicit, Size = 208)]
public unsafe struct VkPhysicalDeviceVulkan12Features
{
    [FieldOffset(0)] public VkStructureType sType;
    [FieldOffset(8)] public void* pNext;
    [FieldOffset(24)] public uint storageBuffer8BitAccess;
    [FieldOffset(44)] public uint shaderFloat16;
    [FieldOffset(48)] public uint shaderInt8;
    [FieldOffset(140)] public uint scalarBlockLayout;
    [FieldOffset(160)] public uint hostQueryReset;
    [FieldOffset(164)] public uint timelineSemaphore;
}

[StructLayout(LayoutKind.Explicit, Size = 80)]
public unsafe struct VkPhysicalDeviceVulkan13Features
{
    [FieldOffset(0)] public VkStructureType sType;
    [FieldOffset(8)] public void* pNext;
    [FieldOffset(52)] public uint synchronization2;
}

public struct VkMemoryType
{
    public VkMemoryPropertyFlags propertyFlags;
    public uint heapIndex;
}

public struct VkMemoryHeap
{
    public ulong size;
    public VkMemoryHeapFlags flags;
}

public struct VkFormatProperties
{
    public VkFormatFeatureFlags linearTilingFeatures;
    public VkFormatFeatureFlags optimalTilingFeatures;
    public VkFormatFeatureFlags bufferFeatures;
}

public struct VkPhysicalDeviceMemoryProperties
{
    public uint memoryTypeCount;
    public MemoryTypes memoryTypes;
    public uint memoryHeapCount;
    public MemoryHeaps memoryHeaps;

    [System.Runtime.CompilerServices.InlineArray(32)]
    public struct MemoryTypes
    {
        private VkMemoryType _element;
    }

    [System.Runtime.CompilerServices.InlineArray(16)]
    public struct MemoryHeaps
    {
        private VkMemoryHeap _element;
    }
}

public struct VkExtent3D
{
    public uint width;
    public uint height;
    public uint depth;
}

public struct VkQueueFamilyProperties
{
    public VkQueueFlags queueFlags;
    public uint queueCount;
    public uint timestampValidBits;
    public VkExtent3D minImageTransferGranularity;
}

public unsafe struct VkDeviceQueueCreateInfo()
{
    public VkStructureType sType = VkStructureType.DeviceQueueCreateInfo;
    public void* pNext;
    public uint flags;
    public uint queueFamilyIndex;
    public uint queueCount;
    public float* pQueuePriorities;
}

public unsafe struct VkDeviceCreateInfo()
{
    public VkStructureType sType = VkStructureType.DeviceCreateInfo;
    public void* pNext;
    public uint flags;
    public uint queueCreateInfoCount;
    public VkDeviceQueueCreateInfo* pQueueCreateInfos;
    public uint enabledLayerCount;
    public byte** ppEnabledLayerNames;
    public uint enabledExtensionCount;
    public byte** ppEnabledExtensionNames;
    public VkPhysicalDeviceFeatures* pEnabledFeatures;
}

public unsafe struct VkBufferCreateInfo()
{
    public VkStructureType sType = VkStructureType.BufferCreateInfo;
    public void* pNext;
    public uint flags;
    public ulong size;
    public VkBufferUsageFlags usage;
    public VkSharingMode sharingMode;
    public uint queueFamilyIndexCount;
    public uint* pQueueFamilyIndices;
}

public struct VkMemoryRequirements
{
    public ulong size;
    public ulong alignment;
    public uint memoryTypeBits;
}

public unsafe struct VkMemoryAllocateInfo()
{
    public VkStructureType sType = VkStructureType.MemoryAllocateInfo;
    public void* pNext;
    public ulong allocationSize;
    public uint memoryTypeIndex;
}

public unsafe struct VkMappedMemoryRange()
{
    public VkStructureType sType = VkStructureType.MappedMemoryRange;
    public void* pNext;
    public VkDeviceMemory memory;
    public ulong offset;
    public ulong size;
}

public unsafe struct VkBufferViewCreateInfo()
{
    public VkStructureType sType = VkStructureType.BufferViewCreateInfo;
    public void* pNext;
    public uint flags;
    public VkBuffer buffer;
    public VkFormat format;
    public ulong offset;
    public ulong range;
}

public unsafe struct VkShaderModuleCreateInfo()
{
    public VkStructureType sType = VkStructureType.ShaderModuleCreateInfo;
    public void* pNext;
    public uint flags;
    public nuint codeSize;
    public uint* pCode;
}

public unsafe struct VkDescriptorSetLayoutBinding
{
    public uint binding;
    public VkDescriptorType descriptorType;
    public uint descriptorCount;
    public VkShaderStageFlags stageFlags;
    public void* pImmutableSamplers;
}

public unsafe struct VkDescriptorSetLayoutCreateInfo()
{
    public VkStructureType sType = VkStructureType.DescriptorSetLayoutCreateInfo;
    public void* pNext;
    public uint flags;
    public uint bindingCount;
    public VkDescriptorSetLayoutBinding* pBindings;
}

public struct VkPushConstantRange
{
    public VkShaderStageFlags stageFlags;
    public uint offset;
    public uint size;
}

public unsafe struct VkPipelineLayoutCreateInfo()
{
    public VkStructureType sType = VkStructureType.PipelineLayoutCreateInfo;
    public void* pNext;
    public uint flags;
    public uint setLayoutCount;
    public VkDescriptorSetLayout* pSetLayouts;
    public uint pushConstantRangeCount;
    public VkPushConstantRange* pPushConstantRanges;
}

public struct VkSpecializationMapEntry
{
    public uint constantID;
    public uint offset;
    public nuint size;
}

public unsafe struct VkSpecializationInfo
{
    public uint mapEntryCount;
    public VkSpecializationMapEntry* pMapEntries;
    public nuint dataSize;
    public void* pData;
}

public unsafe struct VkPipelineShaderStageCreateInfo()
{
    public VkStructureType sType = VkStructureType.PipelineShaderStageCreateInfo;
    public void* pNext;
    public uint flags;
    public VkShaderStageFlags stage;
    public VkShaderModule module;
    public byte* pName;
    public VkSpecializationInfo* pSpecializationInfo;
}

public unsafe struct VkComputePipelineCreateInfo()
{
    public VkStructureType sType = VkStructureType.ComputePipelineCreateInfo;
    public void* pNext;
    public uint flags;
    public VkPipelineShaderStageCreateInfo stage;
    public VkPipelineLayout layout;
    public VkPipeline basePipelineHandle;
    public int basePipelineIndex;
}

public unsafe struct VkPipelineCacheCreateInfo()
{
    public VkStructureType sType = VkStructureType.PipelineCacheCreateInfo;
    public void* pNext;
    public uint flags;
    public nuint initialDataSize;
    public void* pInitialData;
}

public struct VkDescriptorPoolSize
{
    public VkDescriptorType type;
    public uint descriptorCount;
}

public unsafe struct VkDescriptorPoolCreateInfo()
{
    public VkStructureType sType = VkStructureType.DescriptorPoolCreateInfo;
    public void* pNext;
    public VkDescriptorPoolCreateFlags flags;
    public uint maxSets;
    public uint poolSizeCount;
    public VkDescriptorPoolSize* pPoolSizes;
}

public unsafe struct VkDescriptorSetAllocateInfo()
{
    public VkStructureType sType = VkStructureType.DescriptorSetAllocateInfo;
    public void* pNext;
    public VkDescriptorPool descriptorPool;
    public uint descriptorSetCount;
    public VkDescriptorSetLayout* pSetLayouts;
}

public struct VkDescriptorBufferInfo
{
    public VkBuffer buffer;
    public ulong offset;
    public ulong range;
}

public unsafe struct VkWriteDescriptorSet()
{
    public VkStructureType sType = VkStructureType.WriteDescriptorSet;
    public void* pNext;
    public VkDescriptorSet dstSet;
    public uint dstBinding;
    public uint dstArrayElement;
    public uint descriptorCount;
    public VkDescriptorType descriptorType;
    public void* pImageInfo;
    public VkDescriptorBufferInfo* pBufferInfo;
    public VkBufferView* pTexelBufferView;
}

public unsafe struct VkCommandPoolCreateInfo()
{
    public VkStructureType sType = VkStructureType.CommandPoolCreateInfo;
    public void* pNext;
    public VkCommandPoolCreateFlags flags;
    public uint queueFamilyIndex;
}

public unsafe struct VkCommandBufferAllocateInfo()
{
    public VkStructureType sType = VkStructureType.CommandBufferAllocateInfo;
    public void* pNext;
    public VkCommandPool commandPool;
    public VkCommandBufferLevel level;
    public uint commandBufferCount;
}

public unsafe struct VkCommandBufferBeginInfo()
{
    public VkStructureType sType = VkStructureType.CommandBufferBeginInfo;
    public void* pNext;
    public VkCommandBufferUsageFlags flags;
    public void* pInheritanceInfo;
}

public unsafe struct VkMemoryBarrier()
{
    public VkStructureType sType = VkStructureType.MemoryBarrier;
    public void* pNext;
    public VkAccessFlags srcAccessMask;
    public VkAccessFlags dstAccessMask;
}

public unsafe struct VkBufferMemoryBarrier()
{
    public VkStructureType sType = VkStructureType.BufferMemoryBarrier;
    public void* pNext;
    public VkAccessFlags srcAccessMask;
    public VkAccessFlags dstAccessMask;
    public uint srcQueueFamilyIndex = ~0u;
    public uint dstQueueFamilyIndex = ~0u;
    public VkBuffer buffer;
    public ulong offset;
    public ulong size;
}

public struct VkBufferCopy
{
    public ulong srcOffset;
    public ulong dstOffset;
    public ulong size;
}

public unsafe struct VkSubmitInfo()
{
    public VkStructureType sType = VkStructureType.SubmitInfo;
    public void* pNext;
    public uint waitSemaphoreCount;
    public VkSemaphore* pWaitSemaphores;
    public VkPipelineStageFlags* pWaitDstStageMask;
    public uint commandBufferCount;
    public VkCommandBuffer* pCommandBuffers;
    public uint signalSemaphoreCount;
    public VkSemaphore* pSignalSemaphores;
}

public unsafe struct VkTimelineSemaphoreSubmitInfo()
{
    public VkStructureType sType = VkStructureType.TimelineSemaphoreSubmitInfo;
    public void* pNext;
    public uint waitSemaphoreValueCount;
    public ulong* pWaitSemaphoreValues;
    public uint signalSemaphoreValueCount;
    public ulong* pSignalSemaphoreValues;
}

public unsafe struct VkSemaphoreTypeCreateInfo()
{
    public VkStructureType sType = VkStructureType.SemaphoreTypeCreateInfo;
    public void* pNext;
    public VkSemaphoreType semaphoreType;
    public ulong initialValue;
}

public unsafe struct VkSemaphoreCreateInfo()
{
    public VkStructureType sType = VkStructureType.SemaphoreCreateInfo;
    public void* pNext;
    public uint flags;
}

public unsafe struct VkSemaphoreWaitInfo()
{
    public VkStructureType sType = VkStructureType.SemaphoreWaitInfo;
    public void* pNext;
    public uint flags;
    public uint semaphoreCount;
    public VkSemaphore* pSemaphores;
    public ulong* pValues;
}

public unsafe struct VkFenceCreateInfo()
{
    public VkStructureType sType = VkStructureType.FenceCreateInfo;
    public void* pNext;
    public uint flags;
}

public unsafe struct VkQueryPoolCreateInfo()
{
    public VkStructureType sType = VkStructureType.QueryPoolCreateInfo;
    public void* pNext;
    public uint flags;
    public VkQueryType queryType;
    public uint queryCount;
    public uint pipelineStatistics;
}

public struct VkExtent2D
{
    public uint width;
    public uint height;
}

public struct VkSurfaceCapabilitiesKHR
{
    public uint minImageCount;
    public uint maxImageCount;
    public VkExtent2D currentExtent;
    public VkExtent2D minImageExtent;
    public VkExtent2D maxImageExtent;
    public uint maxImageArrayLayers;
    public uint supportedTransforms;
    public uint currentTransform;
    public uint supportedCompositeAlpha;
    public VkImageUsageFlags supportedUsageFlags;
}

public struct VkSurfaceFormatKHR
{
    public VkFormat format;
    public int colorSpace;
}

public unsafe struct VkSwapchainCreateInfoKHR()
{
    public VkStructureType sType = VkStructureType.SwapchainCreateInfoKhr;
    public void* pNext;
    public uint flags;
    public VkSurfaceKHR surface;
    public uint minImageCount;
    public VkFormat imageFormat;
    public int imageColorSpace;
    public VkExtent2D imageExtent;
    public uint imageArrayLayers;
    public VkImageUsageFlags imageUsage;
    public VkSharingMode imageSharingMode;
    public uint queueFamilyIndexCount;
    public uint* pQueueFamilyIndices;
    public uint preTransform;
    public uint compositeAlpha;
    public VkPresentModeKHR presentMode;
    public uint clipped;
    public VkSwapchainKHR oldSwapchain;
}

public unsafe struct VkPresentInfoKHR()
{
    public VkStructureType sType = VkStructureType.PresentInfoKhr;
    public void* pNext;
    public uint waitSemaphoreCount;
    public VkSemaphore* pWaitSemaphores;
    public uint swapchainCount;
    public VkSwapchainKHR* pSwapchains;
    public uint* pImageIndices;
    public VkResult* pResults;
}

public struct VkImageSubresourceRange
{
    public VkImageAspectFlags aspectMask;
    public uint baseMipLevel;
    public uint levelCount;
    public uint baseArrayLayer;
    public uint layerCount;
}

public unsafe struct VkImageMemoryBarrier()
{
    public VkStructureType sType = VkStructureType.ImageMemoryBarrier;
    public void* pNext;
    public VkAccessFlags srcAccessMask;
    public VkAccessFlags dstAccessMask;
    public VkImageLayout oldLayout;
    public VkImageLayout newLayout;
    public uint srcQueueFamilyIndex = ~0u;
    public uint dstQueueFamilyIndex = ~0u;
    public VkImage image;
    public VkImageSubresourceRange subresourceRange;
}

public struct VkImageSubresourceLayers
{
    public VkImageAspectFlags aspectMask;
    public uint mipLevel;
    public uint baseArrayLayer;
    public uint layerCount;
}

public struct VkOffset3D
{
    public int x;
    public int y;
    public int z;
}

public struct VkBufferImageCopy
{
    public ulong bufferOffset;
    public uint bufferRowLength;
    public uint bufferImageHeight;
    public VkImageSubresourceLayers imageSubresource;
    public VkOffset3D imageOffset;
    public VkExtent3D imageExtent;
}
