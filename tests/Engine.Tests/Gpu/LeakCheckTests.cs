using System.Runtime.InteropServices;
using Engine.Gpu;
using Engine.Interop;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Gpu;

/// <summary>What a soak run measures: the device memory the engine holds, and the objects the validation layer finds alive at exit.</summary>
public sealed unsafe class LeakCheckTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void Device_memory_in_use_counts_a_buffer_until_its_deferred_destruction()
    {
        using var device = Fixture.Instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null });
        Assert.Equal(0, device.MemoryInUse);
        var buffer = device.CreateBuffer("counted", 1000);
        // The driver may round the allocation up (alignment), never down.
        Assert.InRange(device.MemoryInUse, 1008, 1008 + 4096);
        buffer.Dispose();
        device.WaitIdle();
        using var other = device.CreateBuffer("collects the first", 16);
        Assert.InRange(device.MemoryInUse, 16, 16 + 4096);
    }

    [Fact]
    public void Objects_left_alive_are_counted_at_device_and_instance_destruction_and_none_when_all_are_disposed()
    {
        var clean = Instance.Create(validation: true, NullLoggerFactory.Instance);
        using (var device = clean.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null }))
        {
            using var buffer = device.CreateBuffer("disposed", 64);
        }
        clean.Dispose();
        Assert.Equal(0, clean.LeakedObjects);
        Assert.Empty(clean.ValidationMessages);

        var leaky = Instance.Create(validation: true, NullLoggerFactory.Instance);
        var leakyDevice = leaky.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null });
        _ = leakyDevice.CreateBuffer("never disposed", 64);
        leakyDevice.Dispose();
        // The buffer and its memory, at vkDestroyDevice.
        Assert.Equal(2, leaky.LeakedObjects);
        // An object left alive at vkDestroyInstance: a debug messenger, because it owns no driver
        // threads. A device left alive there would keep the driver's queue and worker threads running
        // over the destroyed instance's memory, and could crash this process at any later moment.
        LeakMessenger(leaky);
        leaky.Dispose();
        Assert.Equal(3, leaky.LeakedObjects);
    }

    private static void LeakMessenger(Instance instance)
    {
        var info = new VkDebugUtilsMessengerCreateInfoEXT
        {
            messageSeverity = VkDebugUtilsMessageSeverityFlagsEXT.Error,
            messageType = VkDebugUtilsMessageTypeFlagsEXT.Validation,
            pfnUserCallback = &IgnoreMessage,
        };
        VkDebugUtilsMessengerEXT messenger;
        VulkanException.Check(instance.Api.vkCreateDebugUtilsMessengerEXT(instance.Api.Instance, &info, null, &messenger),
            nameof(instance.Api.vkCreateDebugUtilsMessengerEXT), "a messenger left alive");
    }

    [UnmanagedCallersOnly]
    private static uint IgnoreMessage(VkDebugUtilsMessageSeverityFlagsEXT severity, VkDebugUtilsMessageTypeFlagsEXT type, VkDebugUtilsMessengerCallbackDataEXT* data, void* user) => 0;
}
