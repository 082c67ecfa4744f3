using System.Runtime.InteropServices;
using Engine.Gpu;
using Engine.Interop;

namespace Engine.Host;

/// <summary>
/// A resizable window (GLFW, no client API) showing the presented frames through a Vulkan swapchain
/// of the display device, the device that drew the overlay: each frame's overlay image is scaled on
/// the GPU (nearest, aspect kept, black bars; <c>shaders/video/letterbox.comp</c>) into a buffer of
/// the swapchain's size and copied into the acquired image, with no host round trip. Acquisition is
/// waited on the host with a fence (it waits for the presentation engine, not for the GPU's work);
/// the copy signals a semaphore of that swapchain image, which presentation waits on, so the frame
/// loop never waits for the copy. `q`, Esc or closing the window asks the session to stop; a left
/// click records where (fractions of the frame) in <see cref="LastClick"/>, which moves attention queries.
/// </summary>
public sealed unsafe class WindowPresenter : IPresenter
{
    private const int LocalSize = 8;

    private readonly nint _window;
    private readonly Device _device;
    private readonly VkSwapchainApi _khr;
    private readonly VkSurfaceKHR _surface;
    private readonly VkFence _fence;
    private readonly Pipeline _letterbox;
    private VkSwapchainKHR _swapchain;
    private VkImage[] _images = [];
    private VkSemaphore[] _copied = [];
    private VkExtent2D _extent;
    private Tensor? _scaled;
    private bool _quit;
    private bool _disposed;

    /// <summary>
    /// Why no window can open here (no $DISPLAY or $WAYLAND_DISPLAY, no GLFW, GLFW cannot connect to
    /// the display or finds no Vulkan loader), or null when one can.
    /// </summary>
    public static string? Unavailable()
    {
        if (Environment.GetEnvironmentVariable("DISPLAY") is not { Length: > 0 } && Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is not { Length: > 0 })
            return "neither DISPLAY nor WAYLAND_DISPLAY is set";
        try
        {
            if (Glfw.glfwInit() != Glfw.True)
                return $"GLFW cannot connect to the display: {Glfw.LastError()}";
        }
        catch (DllNotFoundException)
        {
            return "libglfw.so.3 is not installed";
        }
        try
        {
            return Glfw.glfwVulkanSupported() == Glfw.True ? null : $"GLFW finds no Vulkan loader: {Glfw.LastError()}";
        }
        finally
        {
            Glfw.glfwTerminate();
        }
    }

    /// <summary>
    /// The instance extensions a window surface needs (GLFW's list): the process's one instance must
    /// be created with them before the display device is opened from it.
    /// </summary>
    public static IReadOnlyList<string> RequiredInstanceExtensions()
    {
        InitGlfw();
        try
        {
            uint count;
            var names = Glfw.glfwGetRequiredInstanceExtensions(&count);
            return [.. Enumerable.Range(0, (int)count).Select(i => Marshal.PtrToStringUTF8((nint)names[i])!)];
        }
        finally
        {
            Glfw.glfwTerminate();
        }
    }

    private static void InitGlfw()
    {
        try
        {
            if (Glfw.glfwInit() != Glfw.True)
                throw new EngineException($"cannot open a window: {Glfw.LastError()} (is DISPLAY set?); use --headless.");
        }
        catch (DllNotFoundException)
        {
            throw new EngineException("cannot open a window: libglfw.so.3 is not installed (Debian: apt-get install libglfw3); use --headless.");
        }
        if (Glfw.glfwVulkanSupported() != Glfw.True)
        {
            var error = Glfw.LastError();
            Glfw.glfwTerminate();
            throw new EngineException($"cannot open a window: GLFW finds no Vulkan loader ({error}); use --headless.");
        }
    }

    /// <summary>
    /// Opens the window and its swapchain on <paramref name="display"/>, a device opened with
    /// <see cref="DeviceOptions.Presentation"/> from an instance created with <see cref="RequiredInstanceExtensions"/>.
    /// </summary>
    public WindowPresenter(string title, int width, int height, Device display)
    {
        _device = display;
        InitGlfw();
        try
        {
            Glfw.glfwWindowHint(Glfw.ClientApi, Glfw.NoApi);
            Glfw.glfwWindowHint(Glfw.Resizable, Glfw.True);
            var titleBytes = NativeString.Utf8(title);
            fixed (byte* t = titleBytes)
                _window = Glfw.glfwCreateWindow(width, height, t, 0, 0);
            if (_window == 0)
                throw new EngineException($"cannot open a window: {Glfw.LastError()}; use --headless.");
        }
        catch
        {
            Glfw.glfwTerminate();
            throw;
        }

        var instance = _device.Instance;
        _khr = new VkSwapchainApi(instance.Api, _device.Api.Device);
        VkSurfaceKHR surface;
        VulkanException.Check(Glfw.glfwCreateWindowSurface(instance.Handle, _window, null, &surface), nameof(Glfw.glfwCreateWindowSurface), "the window");
        _surface = surface;
        uint supported;
        VulkanException.Check(_khr.vkGetPhysicalDeviceSurfaceSupportKHR(_device.PhysicalDevice, _device.QueueFamily, _surface, &supported),
            nameof(_khr.vkGetPhysicalDeviceSurfaceSupportKHR), "the window surface");
        if (supported == 0)
            throw new EngineException($"Vulkan device '{_device.Info.Name}' cannot present to this window from its compute queue; use --headless.");
        var fenceInfo = new VkFenceCreateInfo();
        VkFence fence;
        VulkanException.Check(_device.Api.vkCreateFence(_device.Api.Device, &fenceInfo, null, &fence), nameof(_device.Api.vkCreateFence), "the window's acquire fence");
        _fence = fence;
        _letterbox = _device.Pipeline("video/letterbox");
        CreateSwapchain();
    }

    public bool QuitRequested => _quit;

    /// <summary>The last left click in the window, in fractions of the frame (null before any).</summary>
    public (double X, double Y)? LastClick { get; private set; }

    private (int Width, int Height) FramebufferSize()
    {
        int w, h;
        Glfw.glfwGetFramebufferSize(_window, &w, &h);
        return (w, h);
    }

    private void CreateSwapchain()
    {
        var api = _device.Api;
        VkSurfaceCapabilitiesKHR caps;
        VulkanException.Check(_khr.vkGetPhysicalDeviceSurfaceCapabilitiesKHR(_device.PhysicalDevice, _surface, &caps), nameof(_khr.vkGetPhysicalDeviceSurfaceCapabilitiesKHR), "the window surface");
        if ((caps.supportedUsageFlags & VkImageUsageFlags.TransferDst) == 0)
            throw new EngineException("The window's swapchain images cannot be copied into (no TRANSFER_DST usage).");
        var (fw, fh) = FramebufferSize();
        _extent = caps.currentExtent.width != uint.MaxValue ? caps.currentExtent
            : new VkExtent2D { width = (uint)Math.Clamp(fw, (int)caps.minImageExtent.width, (int)caps.maxImageExtent.width), height = (uint)Math.Clamp(fh, (int)caps.minImageExtent.height, (int)caps.maxImageExtent.height) };
        if (_extent.width == 0 || _extent.height == 0)
            return; // minimised: nothing to present into until it is restored

        uint count = 0;
        _khr.vkGetPhysicalDeviceSurfaceFormatsKHR(_device.PhysicalDevice, _surface, &count, null);
        var formats = new VkSurfaceFormatKHR[count];
        fixed (VkSurfaceFormatKHR* p = formats)
            VulkanException.Check(_khr.vkGetPhysicalDeviceSurfaceFormatsKHR(_device.PhysicalDevice, _surface, &count, p), nameof(_khr.vkGetPhysicalDeviceSurfaceFormatsKHR), "the window surface");
        // The overlay writes B, G, R, A bytes: only a B8G8R8A8 UNORM image takes them unchanged.
        if (!formats.Any(f => f.format == VkFormat.B8G8R8A8Unorm))
            throw new EngineException($"The window surface offers no B8G8R8A8_UNORM format ({string.Join(", ", formats.Select(f => f.format))}).");
        var format = formats.First(f => f.format == VkFormat.B8G8R8A8Unorm);

        _khr.vkGetPhysicalDeviceSurfacePresentModesKHR(_device.PhysicalDevice, _surface, &count, null);
        var modes = new VkPresentModeKHR[count];
        fixed (VkPresentModeKHR* p = modes)
            VulkanException.Check(_khr.vkGetPhysicalDeviceSurfacePresentModesKHR(_device.PhysicalDevice, _surface, &count, p), nameof(_khr.vkGetPhysicalDeviceSurfacePresentModesKHR), "the window surface");
        // Mailbox never blocks the frame loop on the display's refresh; FIFO is the mode every device has.
        var mode = modes.Contains(VkPresentModeKHR.Mailbox) ? VkPresentModeKHR.Mailbox : VkPresentModeKHR.Fifo;

        var old = _swapchain;
        var info = new VkSwapchainCreateInfoKHR
        {
            surface = _surface,
            minImageCount = caps.maxImageCount == 0 ? caps.minImageCount + 1 : Math.Min(caps.minImageCount + 1, caps.maxImageCount),
            imageFormat = format.format,
            imageColorSpace = format.colorSpace,
            imageExtent = _extent,
            imageArrayLayers = 1,
            imageUsage = VkImageUsageFlags.TransferDst,
            imageSharingMode = VkSharingMode.Exclusive,
            preTransform = caps.currentTransform,
            compositeAlpha = (caps.supportedCompositeAlpha & 1) != 0 ? 1u : caps.supportedCompositeAlpha & (~caps.supportedCompositeAlpha + 1),
            presentMode = mode,
            clipped = 1,
            oldSwapchain = old,
        };
        VkSwapchainKHR swapchain;
        VulkanException.Check(_khr.vkCreateSwapchainKHR(api.Device, &info, null, &swapchain), nameof(_khr.vkCreateSwapchainKHR), $"a {_extent.width}x{_extent.height} swapchain");
        if (old.Handle != 0)
        {
            _device.WaitIdle();
            _khr.vkDestroySwapchainKHR(api.Device, old, null);
            DestroySemaphores();
        }
        _swapchain = swapchain;
        _khr.vkGetSwapchainImagesKHR(api.Device, _swapchain, &count, null);
        _images = new VkImage[count];
        fixed (VkImage* p = _images)
            VulkanException.Check(_khr.vkGetSwapchainImagesKHR(api.Device, _swapchain, &count, p), nameof(_khr.vkGetSwapchainImagesKHR), "the swapchain");
        _copied = new VkSemaphore[count];
        for (var i = 0; i < count; i++)
        {
            var semaphoreInfo = new VkSemaphoreCreateInfo();
            VkSemaphore semaphore;
            VulkanException.Check(api.vkCreateSemaphore(api.Device, &semaphoreInfo, null, &semaphore), nameof(api.vkCreateSemaphore), $"the window's semaphore for swapchain image {i}");
            _copied[i] = semaphore;
        }
        _scaled?.Dispose();
        _scaled = _device.CreateTensor($"window {_extent.width}x{_extent.height}", new Shape(checked((int)(_extent.width * _extent.height))), DataType.UInt32);
    }

    private void DestroySemaphores()
    {
        foreach (var semaphore in _copied)
            _device.Api.vkDestroySemaphore(_device.Api.Device, semaphore, null);
        _copied = [];
    }

    public void Present(OverlayImage image, long frame)
    {
        Glfw.glfwPollEvents();
        if (Glfw.glfwWindowShouldClose(_window) != 0 || Glfw.glfwGetKey(_window, Glfw.KeyQ) == Glfw.Press || Glfw.glfwGetKey(_window, Glfw.KeyEscape) == Glfw.Press)
            _quit = true;
        var (fw, fh) = FramebufferSize();
        if (fw == 0 || fh == 0)
            return;
        if (fw != _extent.width || fh != _extent.height || _swapchain.Handle == 0)
            CreateSwapchain();
        if (_swapchain.Handle == 0)
            return;
        var (width, height) = (image.Width, image.Height);
        var (sx, sy, scale) = Letterbox(width, height);
        if (Glfw.glfwGetMouseButton(_window, Glfw.MouseButtonLeft) == Glfw.Press)
        {
            double cx, cy;
            Glfw.glfwGetCursorPos(_window, &cx, &cy);
            LastClick = (Math.Clamp((cx - sx) / scale / width, 0, 1), Math.Clamp((cy - sy) / scale / height, 0, 1));
        }

        var api = _device.Api;
        uint index;
        var fence = _fence;
        var result = _khr.vkAcquireNextImageKHR(api.Device, _swapchain, 1_000_000_000, default, fence, &index);
        if (result == VkResult.ErrorOutOfDateKhr)
        {
            CreateSwapchain();
            return;
        }
        if (result != VkResult.SuboptimalKhr)
            VulkanException.Check(result, nameof(_khr.vkAcquireNextImageKHR), "the window's swapchain");
        VulkanException.Check(api.vkWaitForFences(api.Device, 1, &fence, 1, ulong.MaxValue), nameof(api.vkWaitForFences), "the window's acquire fence");
        VulkanException.Check(api.vkResetFences(api.Device, 1, &fence), nameof(api.vkResetFences), "the window's acquire fence");

        using (var list = _device.CreateCommandList("present"))
        {
            var push = new LetterboxPush((uint)width, (uint)height, _extent.width, _extent.height, sx, sy, (float)scale);
            list.Dispatch(_letterbox, new Groups(Groups.Cover(_extent.width, LocalSize), Groups.Cover(_extent.height, LocalSize)), push, image.Pixels, _scaled!);
            list.CopyToSwapchainImage(_khr, _scaled!.Buffer, _images[index], _extent.width, _extent.height);
            list.Finish();
            _device.Submit(list, _copied[index]);
        }
        var (presentIndex, presentSwapchain, copied) = (index, _swapchain, _copied[index]);
        result = _device.WithQueue(queue =>
        {
            var (i, s, c) = (presentIndex, presentSwapchain, copied);
            var present = new VkPresentInfoKHR { waitSemaphoreCount = 1, pWaitSemaphores = &c, swapchainCount = 1, pSwapchains = &s, pImageIndices = &i };
            return _khr.vkQueuePresentKHR(queue, &present);
        });
        if (result is VkResult.ErrorOutOfDateKhr or VkResult.SuboptimalKhr)
            CreateSwapchain();
        else
            VulkanException.Check(result, nameof(_khr.vkQueuePresentKHR), "the window's swapchain");
    }

    /// <summary>Where the frame goes in the window: its top-left corner and scale, aspect kept.</summary>
    private (int X, int Y, double Scale) Letterbox(int width, int height)
    {
        var scale = Math.Min((double)_extent.width / width, (double)_extent.height / height);
        return ((int)((_extent.width - width * scale) / 2), (int)((_extent.height - height * scale) / 2), scale);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _device.WaitIdle();
        var api = _device.Api;
        if (_swapchain.Handle != 0)
            _khr.vkDestroySwapchainKHR(api.Device, _swapchain, null);
        DestroySemaphores();
        api.vkDestroyFence(api.Device, _fence, null);
        _scaled?.Dispose();
        _khr.vkDestroySurfaceKHR(_device.Instance.Handle, _surface, null);
        Glfw.glfwDestroyWindow(_window);
        Glfw.glfwTerminate();
    }

    internal readonly record struct LetterboxPush(uint Width, uint Height, uint OutWidth, uint OutHeight, int X0, int Y0, float Scale);
}
