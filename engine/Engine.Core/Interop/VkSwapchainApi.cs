namespace Engine.Interop;

#pragma warning disable CA1051, CA1707, IDE1006 // a function table named as in the C API

/// <summary>
/// VK_KHR_surface (instance level) and VK_KHR_swapchain (device level) functions, plus the buffer to
/// image copy the window presenter records: loaded once per presenting device.
/// </summary>
public sealed unsafe class VkSwapchainApi
{
    public readonly delegate* unmanaged<VkInstance, VkSurfaceKHR, void*, void> vkDestroySurfaceKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, uint, VkSurfaceKHR, uint*, VkResult> vkGetPhysicalDeviceSurfaceSupportKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, VkSurfaceCapabilitiesKHR*, VkResult> vkGetPhysicalDeviceSurfaceCapabilitiesKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkSurfaceFormatKHR*, VkResult> vkGetPhysicalDeviceSurfaceFormatsKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkPresentModeKHR*, VkResult> vkGetPhysicalDeviceSurfacePresentModesKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainCreateInfoKHR*, void*, VkSwapchainKHR*, VkResult> vkCreateSwapchainKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, void*, void> vkDestroySwapchainKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, uint*, VkImage*, VkResult> vkGetSwapchainImagesKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, ulong, VkSemaphore, VkFence, uint*, VkResult> vkAcquireNextImageKHR;
    public readonly delegate* unmanaged<VkQueue, VkPresentInfoKHR*, VkResult> vkQueuePresentKHR;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void> vkCmdCopyBufferToImage;

    public VkSwapchainApi(VkInstanceApi instance, VkDevice device)
    {
        nint I(string name) => VulkanLibrary.Load(instance.Instance, name);
        nint D(string name)
        {
            var bytes = NativeString.Utf8(name);
            nint address;
            fixed (byte* p = bytes)
                address = instance.vkGetDeviceProcAddr(device, p);
            return address != 0 ? address : throw new EngineException($"vkGetDeviceProcAddr: the device has no entry point {name} (is VK_KHR_swapchain enabled?)");
        }
        vkDestroySurfaceKHR = (delegate* unmanaged<VkInstance, VkSurfaceKHR, void*, void>)I(nameof(vkDestroySurfaceKHR));
        vkGetPhysicalDeviceSurfaceSupportKHR = (delegate* unmanaged<VkPhysicalDevice, uint, VkSurfaceKHR, uint*, VkResult>)I(nameof(vkGetPhysicalDeviceSurfaceSupportKHR));
        vkGetPhysicalDeviceSurfaceCapabilitiesKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, VkSurfaceCapabilitiesKHR*, VkResult>)I(nameof(vkGetPhysicalDeviceSurfaceCapabilitiesKHR));
        vkGetPhysicalDeviceSurfaceFormatsKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkSurfaceFormatKHR*, VkResult>)I(nameof(vkGetPhysicalDeviceSurfaceFormatsKHR));
        vkGetPhysicalDeviceSurfacePresentModesKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkPresentModeKHR*, VkResult>)I(nameof(vkGetPhysicalDeviceSurfacePresentModesKHR));
        vkCreateSwapchainKHR = (delegate* unmanaged<VkDevice, VkSwapchainCreateInfoKHR*, void*, VkSwapchainKHR*, VkResult>)D(nameof(vkCreateSwapchainKHR));
        vkDestroySwapchainKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, void*, void>)D(nameof(vkDestroySwapchainKHR));
        vkGetSwapchainImagesKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, uint*, VkImage*, VkResult>)D(nameof(vkGetSwapchainImagesKHR));
        vkAcquireNextImageKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, ulong, VkSemaphore, VkFence, uint*, VkResult>)D(nameof(vkAcquireNextImageKHR));
        vkQueuePresentKHR = (delegate* unmanaged<VkQueue, VkPresentInfoKHR*, VkResult>)D(nameof(vkQueuePresentKHR));
        vkCmdCopyBufferToImage = (delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void>)D(nameof(vkCmdCopyBufferToImage));
    }
}
