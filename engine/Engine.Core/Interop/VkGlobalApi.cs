namespace Engine.Interop;

#pragma warning disable CA1051, CA1707, IDE1006 // a function table named as in the C API

/// <summary>The Vulkan functions callable before an instance exists.</summary>
public sealed unsafe class VkGlobalApi
{
    public readonly delegate* unmanaged<VkInstanceCreateInfo*, void*, VkInstance*, VkResult> vkCreateInstance;
    public readonly delegate* unmanaged<uint*, VkLayerProperties*, VkResult> vkEnumerateInstanceLayerProperties;
    public readonly delegate* unmanaged<byte*, uint*, VkExtensionProperties*, VkResult> vkEnumerateInstanceExtensionProperties;
    public readonly delegate* unmanaged<uint*, VkResult> vkEnumerateInstanceVersion;

    public VkGlobalApi()
    {
        nint L(string name) => VulkanLibrary.Load(default, name);
        vkCreateInstance = (delegate* unmanaged<VkInstanceCreateInfo*, void*, VkInstance*, VkResult>)L(nameof(vkCreateInstance));
        vkEnumerateInstanceLayerProperties = (delegate* unmanaged<uint*, VkLayerProperties*, VkResult>)L(nameof(vkEnumerateInstanceLayerProperties));
        vkEnumerateInstanceExtensionProperties = (delegate* unmanaged<byte*, uint*, VkExtensionProperties*, VkResult>)L(nameof(vkEnumerateInstanceExtensionProperties));
        vkEnumerateInstanceVersion = (delegate* unmanaged<uint*, VkResult>)L(nameof(vkEnumerateInstanceVersion));
    }

    public static VkGlobalApi Shared { get; } = new();

    public IReadOnlyList<string> LayerNames()
    {
        uint count = 0;
        VulkanException.Check(vkEnumerateInstanceLayerProperties(&count, null), nameof(vkEnumerateInstanceLayerProperties), "the instance layers");
        var props = new VkLayerProperties[count];
        fixed (VkLayerProperties* p = props)
            VulkanException.Check(vkEnumerateInstanceLayerProperties(&count, p), nameof(vkEnumerateInstanceLayerProperties), "the instance layers");
        return [.. props.Take((int)count).Select(l => NativeString.ReadFixed(l.layerName, 256))];
    }

    /// <summary>Instance extensions of the loader and drivers, or of one layer when <paramref name="layer"/> is given.</summary>
    public IReadOnlyList<string> ExtensionNames(string? layer = null)
    {
        var subject = layer is null ? "the instance extensions" : $"the extensions of layer {layer}";
        var name = layer is null ? null : NativeString.Utf8(layer);
        fixed (byte* pName = name)
        {
            uint count = 0;
            VulkanException.Check(vkEnumerateInstanceExtensionProperties(pName, &count, null), nameof(vkEnumerateInstanceExtensionProperties), subject);
            var props = new VkExtensionProperties[count];
            fixed (VkExtensionProperties* p = props)
                VulkanException.Check(vkEnumerateInstanceExtensionProperties(pName, &count, p), nameof(vkEnumerateInstanceExtensionProperties), subject);
            return [.. props.Take((int)count).Select(e => NativeString.ReadFixed(e.extensionName, 256))];
        }
    }
}
