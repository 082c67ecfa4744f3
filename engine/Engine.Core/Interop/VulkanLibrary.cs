using System.Runtime.InteropServices;

namespace Engine.Interop;

/// <summary>
/// The Vulkan loader, opened once. Every other entry point is fetched through
/// vkGetInstanceProcAddr / vkGetDeviceProcAddr into the function tables.
/// </summary>
public static unsafe class VulkanLibrary
{
    private static readonly Lazy<nint> _getInstanceProcAddr = new(Open);

    public static delegate* unmanaged<VkInstance, byte*, nint> GetInstanceProcAddr =>
        (delegate* unmanaged<VkInstance, byte*, nint>)_getInstanceProcAddr.Value;

    private static nint Open()
    {
        string[] names = OperatingSystem.IsWindows() ? ["vulkan-1.dll"]
            : OperatingSystem.IsMacOS() ? ["libvulkan.1.dylib", "libMoltenVK.dylib"]
            : ["libvulkan.so.1", "libvulkan.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
                return NativeLibrary.GetExport(handle, "vkGetInstanceProcAddr");
        }
        throw new EngineException(
            $"The Vulkan loader was not found (tried {string.Join(", ", names)}). " +
            "On Debian: apt-get install libvulkan1 mesa-vulkan-drivers.");
    }

    /// <summary>Looks a function up; <paramref name="instance"/> is default for the global functions.</summary>
    public static nint Load(VkInstance instance, string name, bool required = true)
    {
        var bytes = NativeString.Utf8(name);
        nint address;
        fixed (byte* p = bytes)
            address = GetInstanceProcAddr(instance, p);
        if (address == 0 && required)
            throw new EngineException($"vkGetInstanceProcAddr: the Vulkan loader has no entry point {name}");
        return address;
    }

    /// <summary>VK_MAKE_API_VERSION(0, major, minor, patch).</summary>
    public static uint MakeVersion(uint major, uint minor, uint patch) => (major << 22) | (minor << 12) | patch;

    public static string FormatVersion(uint version) => $"{version >> 22}.{(version >> 12) & 0x3FF}.{version & 0xFFF}";
}
