namespace Engine.Interop;

#pragma warning disable CA1051, CA1707, IDE1006 // a function table named as in the C API

/// <summary>Device-level Vulkan functions, loaded once per device through vkGetDeviceProcAddr.</summary>
public sealed unsafe class VkDeviceApi
{
    public readonly delegate* unmanaged<VkDevice, void*, void> vkDestroyDevice;
    public readonly delegate* unmanaged<VkDevice, uint, uint, VkQueue*, void> vkGetDeviceQueue;
    public readonly delegate* unmanaged<VkDevice, VkResult> vkDeviceWaitIdle;
    public readonly delegate* unmanaged<VkQueue, VkResult> vkQueueWaitIdle;
    public readonly delegate* unmanaged<VkDevice, VkBufferCreateInfo*, void*, VkBuffer*, VkResult> vkCreateBuffer;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, void*, void> vkDestroyBuffer;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, VkMemoryRequirements*, void> vkGetBufferMemoryRequirements;
    public readonly delegate* unmanaged<VkDevice, VkMemoryAllocateInfo*, void*, VkDeviceMemory*, VkResult> vkAllocateMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, void*, void> vkFreeMemory;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, VkDeviceMemory, ulong, VkResult> vkBindBufferMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, ulong, ulong, uint, void**, VkResult> vkMapMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, void> vkUnmapMemory;
    public readonly delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult> vkFlushMappedMemoryRanges;
    public readonly delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult> vkInvalidateMappedMemoryRanges;
    public readonly delegate* unmanaged<VkDevice, VkBufferViewCreateInfo*, void*, VkBufferView*, VkResult> vkCreateBufferView;
    public readonly delegate* unmanaged<VkDevice, VkBufferView, void*, void> vkDestroyBufferView;
    public readonly delegate* unmanaged<VkDevice, VkShaderModuleCreateInfo*, void*, VkShaderModule*, VkResult> vkCreateShaderModule;
    public readonly delegate* unmanaged<VkDevice, VkShaderModule, void*, void> vkDestroyShaderModule;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetLayoutCreateInfo*, void*, VkDescriptorSetLayout*, VkResult> vkCreateDescriptorSetLayout;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetLayout, void*, void> vkDestroyDescriptorSetLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineLayoutCreateInfo*, void*, VkPipelineLayout*, VkResult> vkCreatePipelineLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineLayout, void*, void> vkDestroyPipelineLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, uint, VkComputePipelineCreateInfo*, void*, VkPipeline*, VkResult> vkCreateComputePipelines;
    public readonly delegate* unmanaged<VkDevice, VkPipeline, void*, void> vkDestroyPipeline;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCacheCreateInfo*, void*, VkPipelineCache*, VkResult> vkCreatePipelineCache;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, void*, void> vkDestroyPipelineCache;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, nuint*, void*, VkResult> vkGetPipelineCacheData;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPoolCreateInfo*, void*, VkDescriptorPool*, VkResult> vkCreateDescriptorPool;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPool, void*, void> vkDestroyDescriptorPool;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPool, uint, VkResult> vkResetDescriptorPool;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetAllocateInfo*, VkDescriptorSet*, VkResult> vkAllocateDescriptorSets;
    public readonly delegate* unmanaged<VkDevice, uint, VkWriteDescriptorSet*, uint, void*, void> vkUpdateDescriptorSets;
    public readonly delegate* unmanaged<VkDevice, VkCommandPoolCreateInfo*, void*, VkCommandPool*, VkResult> vkCreateCommandPool;
    public readonly delegate* unmanaged<VkDevice, VkCommandPool, void*, void> vkDestroyCommandPool;
    public readonly delegate* unmanaged<VkDevice, VkCommandBufferAllocateInfo*, VkCommandBuffer*, VkResult> vkAllocateCommandBuffers;
    public readonly delegate* unmanaged<VkDevice, VkCommandPool, uint, VkCommandBuffer*, void> vkFreeCommandBuffers;
    public readonly delegate* unmanaged<VkCommandBuffer, VkCommandBufferBeginInfo*, VkResult> vkBeginCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkResult> vkEndCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, uint, VkResult> vkResetCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineBindPoint, VkPipeline, void> vkCmdBindPipeline;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineBindPoint, VkPipelineLayout, uint, uint, VkDescriptorSet*, uint, uint*, void> vkCmdBindDescriptorSets;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineLayout, VkShaderStageFlags, uint, uint, void*, void> vkCmdPushConstants;
    public readonly delegate* unmanaged<VkCommandBuffer, uint, uint, uint, void> vkCmdDispatch;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, void> vkCmdDispatchIndirect;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineStageFlags, VkPipelineStageFlags, uint, uint, VkMemoryBarrier*, uint, VkBufferMemoryBarrier*, uint, void*, void> vkCmdPipelineBarrier;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, VkBuffer, uint, VkBufferCopy*, void> vkCmdCopyBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, ulong, uint, void> vkCmdFillBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineStageFlags, VkQueryPool, uint, void> vkCmdWriteTimestamp;
    public readonly delegate* unmanaged<VkCommandBuffer, VkQueryPool, uint, uint, void> vkCmdResetQueryPool;
    public readonly delegate* unmanaged<VkDevice, VkQueryPoolCreateInfo*, void*, VkQueryPool*, VkResult> vkCreateQueryPool;
    public readonly delegate* unmanaged<VkDevice, VkQueryPool, void*, void> vkDestroyQueryPool;
    public readonly delegate* unmanaged<VkDevice, VkQueryPool, uint, uint, nuint, void*, ulong, VkQueryResultFlags, VkResult> vkGetQueryPoolResults;
    public readonly delegate* unmanaged<VkQueue, uint, VkSubmitInfo*, VkFence, VkResult> vkQueueSubmit;
    public readonly delegate* unmanaged<VkDevice, VkFenceCreateInfo*, void*, VkFence*, VkResult> vkCreateFence;
    public readonly delegate* unmanaged<VkDevice, VkFence, void*, void> vkDestroyFence;
    public readonly delegate* unmanaged<VkDevice, uint, VkFence*, uint, ulong, VkResult> vkWaitForFences;
    public readonly delegate* unmanaged<VkDevice, uint, VkFence*, VkResult> vkResetFences;
    public readonly delegate* unmanaged<VkDevice, VkSemaphoreCreateInfo*, void*, VkSemaphore*, VkResult> vkCreateSemaphore;
    public readonly delegate* unmanaged<VkDevice, VkSemaphore, void*, void> vkDestroySemaphore;
    public readonly delegate* unmanaged<VkDevice, VkSemaphoreWaitInfo*, ulong, VkResult> vkWaitSemaphores;
    public readonly delegate* unmanaged<VkDevice, VkSemaphore, ulong*, VkResult> vkGetSemaphoreCounterValue;

    public VkDeviceApi(VkInstanceApi instance, VkDevice device)
    {
        Device = device;
        nint L(string name)
        {
            var bytes = NativeString.Utf8(name);
            nint address;
            fixed (byte* p = bytes)
                address = instance.vkGetDeviceProcAddr(device, p);
            return address != 0 ? address : throw new EngineException($"vkGetDeviceProcAddr: the device has no entry point {name}");
        }

        vkDestroyDevice = (delegate* unmanaged<VkDevice, void*, void>)L(nameof(vkDestroyDevice));
        vkGetDeviceQueue = (delegate* unmanaged<VkDevice, uint, uint, VkQueue*, void>)L(nameof(vkGetDeviceQueue));
        vkDeviceWaitIdle = (delegate* unmanaged<VkDevice, VkResult>)L(nameof(vkDeviceWaitIdle));
        vkQueueWaitIdle = (delegate* unmanaged<VkQueue, VkResult>)L(nameof(vkQueueWaitIdle));
        vkCreateBuffer = (delegate* unmanaged<VkDevice, VkBufferCreateInfo*, void*, VkBuffer*, VkResult>)L(nameof(vkCreateBuffer));
        vkDestroyBuffer = (delegate* unmanaged<VkDevice, VkBuffer, void*, void>)L(nameof(vkDestroyBuffer));
        vkGetBufferMemoryRequirements = (delegate* unmanaged<VkDevice, VkBuffer, VkMemoryRequirements*, void>)L(nameof(vkGetBufferMemoryRequirements));
        vkAllocateMemory = (delegate* unmanaged<VkDevice, VkMemoryAllocateInfo*, void*, VkDeviceMemory*, VkResult>)L(nameof(vkAllocateMemory));
        vkFreeMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, void*, void>)L(nameof(vkFreeMemory));
        vkBindBufferMemory = (delegate* unmanaged<VkDevice, VkBuffer, VkDeviceMemory, ulong, VkResult>)L(nameof(vkBindBufferMemory));
        vkMapMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, ulong, ulong, uint, void**, VkResult>)L(nameof(vkMapMemory));
        vkUnmapMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, void>)L(nameof(vkUnmapMemory));
        vkFlushMappedMemoryRanges = (delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult>)L(nameof(vkFlushMappedMemoryRanges));
        vkInvalidateMappedMemoryRanges = (delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult>)L(nameof(vkInvalidateMappedMemoryRanges));
        vkCreateBufferView = (delegate* unmanaged<VkDevice, VkBufferViewCreateInfo*, void*, VkBufferView*, VkResult>)L(nameof(vkCreateBufferView));
        vkDestroyBufferView = (delegate* unmanaged<VkDevice, VkBufferView, void*, void>)L(nameof(vkDestroyBufferView));
        vkCreateShaderModule = (delegate* unmanaged<VkDevice, VkShaderModuleCreateInfo*, void*, VkShaderModule*, VkResult>)L(nameof(vkCreateShaderModule));
        vkDestroyShaderModule = (delegate* unmanaged<VkDevice, VkShaderModule, void*, void>)L(nameof(vkDestroyShaderModule));
        vkCreateDescriptorSetLayout = (delegate* unmanaged<VkDevice, VkDescriptorSetLayoutCreateInfo*, void*, VkDescriptorSetLayout*, VkResult>)L(nameof(vkCreateDescriptorSetLayout));
        vkDestroyDescriptorSetLayout = (delegate* unmanaged<VkDevice, VkDescriptorSetLayout, void*, void>)L(nameof(vkDestroyDescriptorSetLayout));
        vkCreatePipelineLayout = (delegate* unmanaged<VkDevice, VkPipelineLayoutCreateInfo*, void*, VkPipelineLayout*, VkResult>)L(nameof(vkCreatePipelineLayout));
        vkDestroyPipelineLayout = (delegate* unmanaged<VkDevice, VkPipelineLayout, void*, void>)L(nameof(vkDestroyPipelineLayout));
        vkCreateComputePipelines = (delegate* unmanaged<VkDevice, VkPipelineCache, uint, VkComputePipelineCreateInfo*, void*, VkPipeline*, VkResult>)L(nameof(vkCreateComputePipelines));
        vkDestroyPipeline = (delegate* unmanaged<VkDevice, VkPipeline, void*, void>)L(nameof(vkDestroyPipeline));
        vkCreatePipelineCache = (delegate* unmanaged<VkDevice, VkPipelineCacheCreateInfo*, void*, VkPipelineCache*, VkResult>)L(nameof(vkCreatePipelineCache));
        vkDestroyPipelineCache = (delegate* unmanaged<VkDevice, VkPipelineCache, void*, void>)L(nameof(vkDestroyPipelineCache));
        vkGetPipelineCacheData = (delegate* unmanaged<VkDevice, VkPipelineCache, nuint*, void*, VkResult>)L(nameof(vkGetPipelineCacheData));
        vkCreateDescriptorPool = (delegate* unmanaged<VkDevice, VkDescriptorPoolCreateInfo*, void*, VkDescriptorPool*, VkResult>)L(nameof(vkCreateDescriptorPool));
        vkDestroyDescriptorPool = (delegate* unmanaged<VkDevice, VkDescriptorPool, void*, void>)L(nameof(vkDestroyDescriptorPool));
        vkResetDescriptorPool = (delegate* unmanaged<VkDevice, VkDescriptorPool, uint, VkResult>)L(nameof(vkResetDescriptorPool));
        vkAllocateDescriptorSets = (delegate* unmanaged<VkDevice, VkDescriptorSetAllocateInfo*, VkDescriptorSet*, VkResult>)L(nameof(vkAllocateDescriptorSets));
        vkUpdateDescriptorSets = (delegate* unmanaged<VkDevice, uint, VkWriteDescriptorSet*, uint, void*, void>)L(nameof(vkUpdateDescriptorSets));
        vkCreateCommandPool = (delegate* unmanaged<VkDevice, VkCommandPoolCreateInfo*, void*, VkCommandPool*, VkResult>)L(nameof(vkCreateCommandPool));
        vkDestroyCommandPool = (delegate* unmanaged<VkDevice, VkCommandPool, void*, void>)L(nameof(vkDestroyCommandPool));
        vkAllocateCommandBuffers = (delegate* unmanaged<VkDevice, VkCommandBufferAllocateInfo*, VkCommandBuffer*, VkResult>)L(nameof(vkAllocateCommandBuffers));
        vkFreeCommandBuffers = (delegate* unmanaged<VkDevice, VkCommandPool, uint, VkCommandBuffer*, void>)L(nameof(vkFreeCommandBuffers));
        vkBeginCommandBuffer = (delegate* unmanaged<VkCommandBuffer, VkCommandBufferBeginInfo*, VkResult>)L(nameof(vkBeginCommandBuffer));
        vkEndCommandBuffer = (delegate* unmanaged<VkCommandBuffer, VkResult>)L(nameof(vkEndCommandBuffer));
        vkResetCommandBuffer = (delegate* unmanaged<VkCommandBuffer, uint, VkResult>)L(nameof(vkResetCommandBuffer));
        vkCmdBindPipeline = (delegate* unmanaged<VkCommandBuffer, VkPipelineBindPoint, VkPipeline, void>)L(nameof(vkCmdBindPipeline));
        vkCmdBindDescriptorSets = (delegate* unmanaged<VkCommandBuffer, VkPipelineBindPoint, VkPipelineLayout, uint, uint, VkDescriptorSet*, uint, uint*, void>)L(nameof(vkCmdBindDescriptorSets));
        vkCmdPushConstants = (delegate* unmanaged<VkCommandBuffer, VkPipelineLayout, VkShaderStageFlags, uint, uint, void*, void>)L(nameof(vkCmdPushConstants));
        vkCmdDispatch = (delegate* unmanaged<VkCommandBuffer, uint, uint, uint, void>)L(nameof(vkCmdDispatch));
        vkCmdDispatchIndirect = (delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, void>)L(nameof(vkCmdDispatchIndirect));
        vkCmdPipelineBarrier = (delegate* unmanaged<VkCommandBuffer, VkPipelineStageFlags, VkPipelineStageFlags, uint, uint, VkMemoryBarrier*, uint, VkBufferMemoryBarrier*, uint, void*, void>)L(nameof(vkCmdPipelineBarrier));
        vkCmdCopyBuffer = (delegate* unmanaged<VkCommandBuffer, VkBuffer, VkBuffer, uint, VkBufferCopy*, void>)L(nameof(vkCmdCopyBuffer));
        vkCmdFillBuffer = (delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, ulong, uint, void>)L(nameof(vkCmdFillBuffer));
        vkCmdWriteTimestamp = (delegate* unmanaged<VkCommandBuffer, VkPipelineStageFlags, VkQueryPool, uint, void>)L(nameof(vkCmdWriteTimestamp));
        vkCmdResetQueryPool = (delegate* unmanaged<VkCommandBuffer, VkQueryPool, uint, uint, void>)L(nameof(vkCmdResetQueryPool));
        vkCreateQueryPool = (delegate* unmanaged<VkDevice, VkQueryPoolCreateInfo*, void*, VkQueryPool*, VkResult>)L(nameof(vkCreateQueryPool));
        vkDestroyQueryPool = (delegate* unmanaged<VkDevice, VkQueryPool, void*, void>)L(nameof(vkDestroyQueryPool));
        vkGetQueryPoolResults = (delegate* unmanaged<VkDevice, VkQueryPool, uint, uint, nuint, void*, ulong, VkQueryResultFlags, VkResult>)L(nameof(vkGetQueryPoolResults));
        vkQueueSubmit = (delegate* unmanaged<VkQueue, uint, VkSubmitInfo*, VkFence, VkResult>)L(nameof(vkQueueSubmit));
        vkCreateFence = (delegate* unmanaged<VkDevice, VkFenceCreateInfo*, void*, VkFence*, VkResult>)L(nameof(vkCreateFence));
        vkDestroyFence = (delegate* unmanaged<VkDevice, VkFence, void*, void>)L(nameof(vkDestroyFence));
        vkWaitForFences = (delegate* unmanaged<VkDevice, uint, VkFence*, uint, ulong, VkResult>)L(nameof(vkWaitForFences));
        vkResetFences = (delegate* unmanaged<VkDevice, uint, VkFence*, VkResult>)L(nameof(vkResetFences));
        vkCreateSemaphore = (delegate* unmanaged<VkDevice, VkSemaphoreCreateInfo*, void*, VkSemaphore*, VkResult>)L(nameof(vkCreateSemaphore));
        vkDestroySemaphore = (delegate* unmanaged<VkDevice, VkSemaphore, void*, void>)L(nameof(vkDestroySemaphore));
        vkWaitSemaphores = (delegate* unmanaged<VkDevice, VkSemaphoreWaitInfo*, ulong, VkResult>)L(nameof(vkWaitSemaphores));
        vkGetSemaphoreCounterValue = (delegate* unmanaged<VkDevice, VkSemaphore, ulong*, VkResult>)L(nameof(vkGetSemaphoreCounterValue));
    }

    public VkDevice Device { get; }
}
