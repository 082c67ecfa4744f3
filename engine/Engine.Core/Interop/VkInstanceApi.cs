namespace Engine.Interop;

#pragma warning disable CA1051, CA1707, IDE1006 // a function table named as in the C API

/// <summary>Instance-level Vulkan functions, loaded once per instance.</summary>
public sealed unsafe class VkInstanceApi
{
    public readonly delegate* unmanaged<VkInstance, void*, void> vkDestroyInstance;
    public readonly delegate* unmanaged<VkInstance, uint*, VkPhysicalDevice*, VkResult> vkEnumeratePhysicalDevices;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties2*, void> vkGetPhysicalDeviceProperties2;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceFeatures2*, void> vkGetPhysicalDeviceFeatures2;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceMemoryProperties*, void> vkGetPhysicalDeviceMemoryProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkFormat, VkFormatProperties*, void> vkGetPhysicalDeviceFormatProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, uint*, VkQueueFamilyProperties*, void> vkGetPhysicalDeviceQueueFamilyProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, byte*, uint*, VkExtensionProperties*, VkResult> vkEnumerateDeviceExtensionProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkDeviceCreateInfo*, void*, VkDevice*, VkResult> vkCreateDevice;
    public readonly delegate* unmanaged<VkDevice, byte*, nint> vkGetDeviceProcAddr;
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult> vkCreateDebugUtilsMessengerEXT;
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void> vkDestroyDebugUtilsMessengerEXT;
    public readonly delegate* unmanaged<VkDevice, VkDebugUtilsObjectNameInfoEXT*, VkResult> vkSetDebugUtilsObjectNameEXT;

    public VkInstanceApi(VkInstance instance, bool debugUtils)
    {
        Instance = instance;
        nint L(string name, bool required = true) => VulkanLibrary.Load(instance, name, required);
        vkDestroyInstance = (delegate* unmanaged<VkInstance, void*, void>)L(nameof(vkDestroyInstance));
        vkEnumeratePhysicalDevices = (delegate* unmanaged<VkInstance, uint*, VkPhysicalDevice*, VkResult>)L(nameof(vkEnumeratePhysicalDevices));
        vkGetPhysicalDeviceProperties2 = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties2*, void>)L(nameof(vkGetPhysicalDeviceProperties2));
        vkGetPhysicalDeviceFeatures2 = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceFeatures2*, void>)L(nameof(vkGetPhysicalDeviceFeatures2));
        vkGetPhysicalDeviceMemoryProperties = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceMemoryProperties*, void>)L(nameof(vkGetPhysicalDeviceMemoryProperties));
        vkGetPhysicalDeviceFormatProperties = (delegate* unmanaged<VkPhysicalDevice, VkFormat, VkFormatProperties*, void>)L(nameof(vkGetPhysicalDeviceFormatProperties));
        vkGetPhysicalDeviceQueueFamilyProperties = (delegate* unmanaged<VkPhysicalDevice, uint*, VkQueueFamilyProperties*, void>)L(nameof(vkGetPhysicalDeviceQueueFamilyProperties));
        vkEnumerateDeviceExtensionProperties = (delegate* unmanaged<VkPhysicalDevice, byte*, uint*, VkExtensionProperties*, VkResult>)L(nameof(vkEnumerateDeviceExtensionProperties));
        vkCreateDevice = (delegate* unmanaged<VkPhysicalDevice, VkDeviceCreateInfo*, void*, VkDevice*, VkResult>)L(nameof(vkCreateDevice));
        vkGetDeviceProcAddr = (delegate* unmanaged<VkDevice, byte*, nint>)L(nameof(vkGetDeviceProcAddr));
        vkCreateDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult>)L(nameof(vkCreateDebugUtilsMessengerEXT), debugUtils);
        vkDestroyDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void>)L(nameof(vkDestroyDebugUtilsMessengerEXT), debugUtils);
        vkSetDebugUtilsObjectNameEXT = (delegate* unmanaged<VkDevice, VkDebugUtilsObjectNameInfoEXT*, VkResult>)L(nameof(vkSetDebugUtilsObjectNameEXT), debugUtils);
    }

    public VkInstance Instance { get; }

    public bool HasDebugUtils => vkSetDebugUtilsObjectNameEXT != null;

    public VkPhysicalDevice[] PhysicalDevices()
    {
        uint count = 0;
        VulkanException.Check(vkEnumeratePhysicalDevices(Instance, &count, null), nameof(vkEnumeratePhysicalDevices), "the Vulkan instance");
        var devices = new VkPhysicalDevice[count];
        fixed (VkPhysicalDevice* p = devices)
            VulkanException.Check(vkEnumeratePhysicalDevices(Instance, &count, p), nameof(vkEnumeratePhysicalDevices), "the Vulkan instance");
        return devices[..(int)count];
    }

    public VkQueueFamilyProperties[] QueueFamilies(VkPhysicalDevice device)
    {
        uint count = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(device, &count, null);
        var families = new VkQueueFamilyProperties[count];
        fixed (VkQueueFamilyProperties* p = families)
            vkGetPhysicalDeviceQueueFamilyProperties(device, &count, p);
        return families;
    }

    public IReadOnlyList<string> DeviceExtensions(VkPhysicalDevice device)
    {
        uint count = 0;
        VulkanException.Check(vkEnumerateDeviceExtensionProperties(device, null, &count, null), nameof(vkEnumerateDeviceExtensionProperties), "a physical device");
        var props = new VkExtensionProperties[count];
        fixed (VkExtensionProperties* p = props)
            VulkanException.Check(vkEnumerateDeviceExtensionProperties(device, null, &count, p), nameof(vkEnumerateDeviceExtensionProperties), "a physical device");
        return [.. props.Take((int)count).Select(e => NativeString.ReadFixed(e.extensionName, 256))];
    }
}
