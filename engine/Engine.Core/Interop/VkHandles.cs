namespace Engine.Interop;

// Vulkan handles as blittable structs. Dispatchable handles are pointers, the rest 64-bit integers.
// Grouped in one file because each is a one-line declaration mirroring vulkan_core.h.
public readonly record struct VkInstance(nint Handle);
public readonly record struct VkPhysicalDevice(nint Handle);
public readonly record struct VkDevice(nint Handle);
public readonly record struct VkQueue(nint Handle);
public readonly record struct VkCommandBuffer(nint Handle);
public readonly record struct VkBuffer(ulong Handle);
public readonly record struct VkBufferView(ulong Handle);
public readonly record struct VkDeviceMemory(ulong Handle);
public readonly record struct VkShaderModule(ulong Handle);
public readonly record struct VkPipeline(ulong Handle);
public readonly record struct VkPipelineLayout(ulong Handle);
public readonly record struct VkPipelineCache(ulong Handle);
public readonly record struct VkDescriptorSetLayout(ulong Handle);
public readonly record struct VkDescriptorPool(ulong Handle);
public readonly record struct VkDescriptorSet(ulong Handle);
public readonly record struct VkCommandPool(ulong Handle);
public readonly record struct VkFence(ulong Handle);
public readonly record struct VkSemaphore(ulong Handle);
public readonly record struct VkQueryPool(ulong Handle);
public readonly record struct VkDebugUtilsMessengerEXT(ulong Handle);
public readonly record struct VkImage(ulong Handle);
public readonly record struct VkSurfaceKHR(ulong Handle);
public readonly record struct VkSwapchainKHR(ulong Handle);
