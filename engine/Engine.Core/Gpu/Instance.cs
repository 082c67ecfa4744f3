using Engine.Interop;
using Microsoft.Extensions.Logging;

namespace Engine.Gpu;

/// <summary>
/// The process's Vulkan instance: the validation layer and debug messenger when asked, the list of
/// physical devices, and the logical devices taken from it (<see cref="CreateDevice"/>). One instance
/// per process or session: a window's surface belongs to it, so any of its devices can present, and
/// validation sees every device's calls. The one exception is a per-device choice of the live CLI:
/// on a CPU device inference gets an instance of its own (Engine.Cli LiveRun says why). Validation
/// messages go to the logger; those above INFO are also kept so tests can fail on them. Dispose the
/// devices first.
/// </summary>
public sealed unsafe class Instance : IDisposable
{
    private const string ValidationLayer = "VK_LAYER_KHRONOS_validation";
    private const string DebugUtilsExtension = "VK_EXT_debug_utils";
    private const string ValidationFeaturesExtension = "VK_EXT_validation_features";

    private readonly ValidationLog? _log;
    private VkDebugUtilsMessengerEXT _messenger;
    private bool _disposed;

    private Instance(VkInstanceApi api, ValidationLog? log, bool validation)
    {
        Api = api;
        _log = log;
        Validation = validation;
    }

    public VkInstanceApi Api { get; }

    internal VkInstance Handle => Api.Instance;

    public bool Validation { get; }

    /// <summary>Validation messages of WARNING or ERROR severity seen so far.</summary>
    public IReadOnlyList<string> ValidationMessages => _log?.Messages ?? [];

    /// <summary>
    /// Objects the validation layer found alive when their device or this instance was destroyed (each
    /// also an error in <see cref="ValidationMessages"/>); final once the instance is disposed.
    /// </summary>
    public int LeakedObjects => _log?.LeakedObjects ?? 0;

    /// <summary>Creates an instance; <paramref name="extraExtensions"/> are required (a window's surface extensions).</summary>
    public static Instance Create(bool validation, ILoggerFactory loggerFactory, IReadOnlyList<string>? extraExtensions = null)
    {
        var logger = loggerFactory.CreateLogger("Engine.Gpu.Vulkan");
        var global = VkGlobalApi.Shared;
        uint loaderVersion = 0;
        VulkanException.Check(global.vkEnumerateInstanceVersion(&loaderVersion), nameof(global.vkEnumerateInstanceVersion), "the Vulkan loader");
        if (loaderVersion < VulkanLibrary.MakeVersion(1, 2, 0))
            throw new EngineException($"The Vulkan loader is version {VulkanLibrary.FormatVersion(loaderVersion)}; the engine needs 1.2 or newer.");

        var layers = new List<string>();
        var extensions = new List<string>();
        var availableExtensions = global.ExtensionNames();
        if (availableExtensions.Contains("VK_KHR_portability_enumeration"))
            extensions.Add("VK_KHR_portability_enumeration");
        if (validation)
        {
            if (!global.LayerNames().Contains(ValidationLayer))
                throw new EngineException($"Validation was requested but {ValidationLayer} is not installed (Debian: apt-get install vulkan-validationlayers).");
            layers.Add(ValidationLayer);
            // Synchronization validation is what catches a missing or wrong barrier.
            if (global.ExtensionNames(ValidationLayer).Contains(ValidationFeaturesExtension))
                extensions.Add(ValidationFeaturesExtension);
        }
        foreach (var extension in extraExtensions ?? [])
        {
            if (!availableExtensions.Contains(extension))
                throw new EngineException($"The Vulkan loader lacks instance extension {extension}, which presenting to a window needs.");
            if (!extensions.Contains(extension))
                extensions.Add(extension);
        }
        var debugUtils = validation && availableExtensions.Contains(DebugUtilsExtension);
        if (debugUtils)
            extensions.Add(DebugUtilsExtension);

        var log = debugUtils ? new ValidationLog(logger) : null;
        var messengerInfo = log?.MessengerInfo ?? default;
        var appName = NativeString.Utf8("nonlocal-engine");
        using var layerNames = new NativeString.Array(layers);
        using var extensionNames = new NativeString.Array(extensions);
        VkInstance handle;
        var syncValidation = VkValidationFeatureEnableEXT.SynchronizationValidation;
        // The chained messenger hears instance creation and destruction, where no created messenger exists yet or still.
        var features = new VkValidationFeaturesEXT { pNext = log is null ? null : &messengerInfo, enabledValidationFeatureCount = 1, pEnabledValidationFeatures = &syncValidation };
        fixed (byte* name = appName)
        {
            var app = new VkApplicationInfo
            {
                pApplicationName = name,
                pEngineName = name,
                apiVersion = VulkanLibrary.MakeVersion(1, 2, 0),
            };
            var info = new VkInstanceCreateInfo
            {
                pNext = extensions.Contains(ValidationFeaturesExtension) ? &features : log is null ? null : &messengerInfo,
                flags = extensions.Contains("VK_KHR_portability_enumeration") ? 1u : 0u, // ENUMERATE_PORTABILITY_BIT
                pApplicationInfo = &app,
                enabledLayerCount = layerNames.Count,
                ppEnabledLayerNames = layerNames.Pointer,
                enabledExtensionCount = extensionNames.Count,
                ppEnabledExtensionNames = extensionNames.Pointer,
            };
            var created = global.vkCreateInstance(&info, null, &handle);
            if (created < 0)
                log?.Dispose();
            VulkanException.Check(created, nameof(global.vkCreateInstance),
                $"an instance with layers [{string.Join(", ", layers)}] and extensions [{string.Join(", ", extensions)}]");
        }

        var instance = new Instance(new VkInstanceApi(handle, debugUtils), log, validation);
        if (log is not null)
            instance.CreateMessenger(log);
        return instance;
    }

    /// <summary>
    /// Opens a logical device (one compute queue) on the physical device <paramref name="options"/>
    /// names, or the most capable one. Two devices opened on one physical device share nothing but it:
    /// their memory is separate, so data crosses between them only through the host (<c>ClipBridge</c>).
    /// </summary>
    public Device CreateDevice(DeviceOptions? options = null)
    {
        options ??= new DeviceOptions();
        var info = Select(options.DeviceIndex);
        if (!info.TimelineSemaphores)
            throw new EngineException($"Vulkan device '{info.Name}' lacks timeline semaphores (Vulkan 1.2 core); the engine needs them.");
        return new Device(this, info, PhysicalDevice(info.Index), options);
    }

    /// <summary>Every physical device with the facts `engine devices` prints.</summary>
    public IReadOnlyList<DeviceInfo> Devices()
    {
        var devices = Api.PhysicalDevices();
        if (devices.Length == 0)
        {
            var icd = Environment.GetEnvironmentVariable("VK_ICD_FILENAMES") ?? Environment.GetEnvironmentVariable("VK_DRIVER_FILES");
            throw new EngineException("No Vulkan device was found" +
                (icd is null ? "" : $" (VK_ICD_FILENAMES={icd})") +
                ". Install a driver (Debian: apt-get install mesa-vulkan-drivers for the lavapipe CPU device).");
        }
        return [.. devices.Select((d, i) => Describe(i, d))];
    }

    internal VkPhysicalDevice PhysicalDevice(int index) => Api.PhysicalDevices()[index];

    private DeviceInfo Describe(int index, VkPhysicalDevice device)
    {
        var driver = new VkPhysicalDeviceDriverProperties { sType = VkStructureType.PhysicalDeviceDriverProperties };
        var id = new VkPhysicalDeviceIDProperties { pNext = &driver };
        var subgroup = new VkPhysicalDeviceSubgroupProperties { pNext = &id };
        var props = new VkPhysicalDeviceProperties2 { pNext = &subgroup };
        Api.vkGetPhysicalDeviceProperties2(device, &props);

        var f12 = new VkPhysicalDeviceVulkan12Features { sType = VkStructureType.PhysicalDeviceVulkan12Features };
        var f11 = new VkPhysicalDeviceVulkan11Features { sType = VkStructureType.PhysicalDeviceVulkan11Features, pNext = &f12 };
        var features = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = &f11 };
        Api.vkGetPhysicalDeviceFeatures2(device, &features);

        VkPhysicalDeviceMemoryProperties memory;
        Api.vkGetPhysicalDeviceMemoryProperties(device, &memory);
        // fp16 weights are read through rgba16f storage texel buffers (CompileOptions.WeightStorage).
        VkFormatProperties half;
        Api.vkGetPhysicalDeviceFormatProperties(device, VkFormat.R16G16B16A16Sfloat, &half);
        var heaps = new List<MemoryHeapInfo>();
        for (var i = 0; i < memory.memoryHeapCount; i++)
            heaps.Add(new MemoryHeapInfo(memory.memoryHeaps[i].size, (memory.memoryHeaps[i].flags & VkMemoryHeapFlags.DeviceLocal) != 0));
        var unified = false;
        for (var i = 0; i < memory.memoryTypeCount; i++)
        {
            var flags = memory.memoryTypes[i].propertyFlags;
            const VkMemoryPropertyFlags Uma = VkMemoryPropertyFlags.DeviceLocal | VkMemoryPropertyFlags.HostVisible | VkMemoryPropertyFlags.HostCoherent;
            unified |= (flags & Uma) == Uma;
        }

        var p = props.properties;
        return new DeviceInfo(
            index,
            NativeString.ReadFixed(p.deviceName, 256),
            p.deviceType,
            NativeString.ReadFixed(driver.driverName, 256),
            NativeString.ReadFixed(driver.driverInfo, 256),
            VulkanLibrary.FormatVersion(p.apiVersion),
            p.driverVersion,
            p.vendorID,
            p.deviceID,
            Convert.ToHexStringLower(new ReadOnlySpan<byte>(id.deviceUUID, 16)),
            heaps,
            subgroup.subgroupSize,
            p.limits.maxStorageBufferRange,
            p.limits.maxTexelBufferElements,
            p.limits.maxComputeSharedMemorySize,
            p.limits.maxPushConstantsSize,
            f12.shaderFloat16 != 0,
            f12.shaderInt8 != 0,
            f11.storageBuffer16BitAccess != 0,
            (half.bufferFeatures & VkFormatFeatureFlags.StorageTexelBuffer) != 0,
            f12.timelineSemaphore != 0,
            unified);
    }

    /// <summary>Picks the requested device, or the most capable one (discrete > integrated > virtual > CPU).</summary>
    public DeviceInfo Select(int? index)
    {
        var devices = Devices();
        if (index is { } i)
        {
            if (i < 0 || i >= devices.Count)
                throw new EngineException($"--device {i}: there are {devices.Count} Vulkan devices (0..{devices.Count - 1}); `engine devices` lists them.");
            return devices[i];
        }
        return devices.OrderByDescending(d => d.Preference).ThenBy(d => d.Index).First();
    }

    private void CreateMessenger(ValidationLog log)
    {
        var info = log.MessengerInfo;
        VkDebugUtilsMessengerEXT messenger;
        VulkanException.Check(Api.vkCreateDebugUtilsMessengerEXT(Api.Instance, &info, null, &messenger), nameof(Api.vkCreateDebugUtilsMessengerEXT), "the validation messenger");
        _messenger = messenger;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_messenger.Handle != 0)
            Api.vkDestroyDebugUtilsMessengerEXT(Api.Instance, _messenger, null);
        Api.vkDestroyInstance(Api.Instance, null);
        _log?.Dispose();
    }
}
