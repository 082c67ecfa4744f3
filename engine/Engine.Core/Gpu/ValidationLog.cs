using System.Runtime.InteropServices;
using Engine.Interop;
using Microsoft.Extensions.Logging;

namespace Engine.Gpu;

/// <summary>
/// Where the validation layer's messages go: to the logger, and those above INFO into a list tests and
/// the CLI read. It exists before the instance, so the messenger chained into instance creation also
/// hears vkCreateInstance and vkDestroyInstance, where the layer reports devices left alive; the
/// objects a device left alive are reported at vkDestroyDevice. Those reports are counted apart
/// (<see cref="LeakedObjects"/>): one message per object.
/// </summary>
internal sealed unsafe class ValidationLog : IDisposable
{
    /// <summary>
    /// The layer's message ids for "a child object was not destroyed" (object_lifetime_validation.cpp):
    /// a device's children (00378 in Debian's layer, renamed 05137 in newer ones), an instance's
    /// (00629), and a device left alive at vkDestroyInstance (ObjectLeak, then its children as 00378).
    /// </summary>
    private static readonly string[] _leakIds =
        ["VUID-vkDestroyDevice-device-00378", "VUID-vkDestroyDevice-device-05137", "VUID-vkDestroyInstance-instance-00629", "UNASSIGNED-ObjectTracker-ObjectLeak"];

    private readonly ILogger _logger;
    private readonly List<string> _messages = [];
    private GCHandle _self;
    private int _leakedObjects;

    public ValidationLog(ILogger logger)
    {
        _logger = logger;
        _self = GCHandle.Alloc(this);
    }

    /// <summary>A messenger description that routes every message here (chained into VkInstanceCreateInfo, or created on its own).</summary>
    public VkDebugUtilsMessengerCreateInfoEXT MessengerInfo => new()
    {
        messageSeverity = VkDebugUtilsMessageSeverityFlagsEXT.Info | VkDebugUtilsMessageSeverityFlagsEXT.Warning | VkDebugUtilsMessageSeverityFlagsEXT.Error,
        messageType = VkDebugUtilsMessageTypeFlagsEXT.General | VkDebugUtilsMessageTypeFlagsEXT.Validation | VkDebugUtilsMessageTypeFlagsEXT.Performance,
        pfnUserCallback = &OnMessage,
        pUserData = (void*)GCHandle.ToIntPtr(_self),
    };

    /// <summary>Messages of WARNING or ERROR severity so far.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
                return [.. _messages];
        }
    }

    /// <summary>Objects the layer reported alive when their device or instance was destroyed.</summary>
    public int LeakedObjects => Volatile.Read(ref _leakedObjects);

    [UnmanagedCallersOnly]
    private static uint OnMessage(VkDebugUtilsMessageSeverityFlagsEXT severity, VkDebugUtilsMessageTypeFlagsEXT type, VkDebugUtilsMessengerCallbackDataEXT* data, void* user)
    {
        if (GCHandle.FromIntPtr((nint)user).Target is not ValidationLog log)
            return 0;
        var id = NativeString.Read(data->pMessageIdName);
        var text = $"[{id}] {NativeString.Read(data->pMessage)}";
        if (severity >= VkDebugUtilsMessageSeverityFlagsEXT.Warning)
        {
            lock (log._messages)
                log._messages.Add(text);
        }
        if (_leakIds.Contains(id))
            Interlocked.Increment(ref log._leakedObjects);
        var level = severity switch
        {
            >= VkDebugUtilsMessageSeverityFlagsEXT.Error => LogLevel.Error,
            >= VkDebugUtilsMessageSeverityFlagsEXT.Warning => LogLevel.Warning,
            >= VkDebugUtilsMessageSeverityFlagsEXT.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
#pragma warning disable CA1848, CA2254 // the message text comes from the driver
        log._logger.Log(level, "Vulkan {Type}: {Message}", type, text);
#pragma warning restore CA1848, CA2254
        return 0;
    }

    /// <summary>Stops routing (after vkDestroyInstance: the layer says nothing more).</summary>
    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
    }
}
