using System.Runtime.InteropServices;

namespace Engine.Interop;

#pragma warning disable CA1707, IDE1006 // names as in glfw3.h

/// <summary>
/// The few GLFW 3.3 functions the window presenter needs (libglfw.so.3), without runtime marshalling.
/// Windows are created with GLFW_CLIENT_API = GLFW_NO_API: the engine draws through a Vulkan swapchain.
/// </summary>
public static unsafe partial class Glfw
{
    private const string Library = "libglfw.so.3";

    public const int True = 1;
    public const int False = 0;
    public const int ClientApi = 0x00022001;
    public const int NoApi = 0;
    public const int Resizable = 0x00020003;
    public const int Press = 1;
    public const int KeyQ = 81;
    public const int KeyEscape = 256;
    public const int MouseButtonLeft = 0;

    [LibraryImport(Library)]
    public static partial int glfwInit();

    [LibraryImport(Library)]
    public static partial void glfwTerminate();

    [LibraryImport(Library)]
    public static partial int glfwGetError(byte** description);

    [LibraryImport(Library)]
    public static partial void glfwWindowHint(int hint, int value);

    [LibraryImport(Library)]
    public static partial nint glfwCreateWindow(int width, int height, byte* title, nint monitor, nint share);

    [LibraryImport(Library)]
    public static partial void glfwDestroyWindow(nint window);

    [LibraryImport(Library)]
    public static partial int glfwWindowShouldClose(nint window);

    [LibraryImport(Library)]
    public static partial void glfwPollEvents();

    [LibraryImport(Library)]
    public static partial int glfwGetKey(nint window, int key);

    [LibraryImport(Library)]
    public static partial int glfwGetMouseButton(nint window, int button);

    [LibraryImport(Library)]
    public static partial void glfwGetCursorPos(nint window, double* x, double* y);

    [LibraryImport(Library)]
    public static partial void glfwGetFramebufferSize(nint window, int* width, int* height);

    [LibraryImport(Library)]
    public static partial int glfwVulkanSupported();

    [LibraryImport(Library)]
    public static partial byte** glfwGetRequiredInstanceExtensions(uint* count);

    [LibraryImport(Library)]
    public static partial VkResult glfwCreateWindowSurface(VkInstance instance, nint window, void* allocator, VkSurfaceKHR* surface);

    /// <summary>GLFW's description of its last error, or a fallback.</summary>
    public static string LastError()
    {
        byte* description = null;
        var code = glfwGetError(&description);
        return description is null ? $"GLFW error 0x{code:x}" : Marshal.PtrToStringUTF8((nint)description) ?? $"GLFW error 0x{code:x}";
    }
}
