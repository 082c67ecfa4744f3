using System.Diagnostics;
using Engine.Gpu;
using Engine.Interop;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Gpu;

public sealed class DeviceTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void Pipeline_cache_written_by_one_device_is_loaded_by_the_next()
    {
        var dir = Directory.CreateTempSubdirectory("engine-cache-").FullName;
        try
        {
            var options = new DeviceOptions { PipelineCacheDirectory = dir };
            using (var first = Fixture.Instance.CreateDevice(options))
            {
                Assert.Equal(0, first.PipelineCacheBytesLoaded);
                first.Pipeline("gemm", SpecConstant.Int(0, 8), SpecConstant.Int(1, 8), SpecConstant.Int(2, 2));
            }
            var file = Assert.Single(Directory.GetFiles(dir));
            Assert.Contains(Device.Info.DeviceUuid, Path.GetFileName(file), StringComparison.Ordinal);
            Assert.Contains($"{Device.Info.DriverVersion:x8}", Path.GetFileName(file), StringComparison.Ordinal);

            // The driver's own header (VkPipelineCacheHeaderVersionOne) says whose cache it is; lavapipe
            // stores nothing past it, real drivers store the compiled pipelines.
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.Length >= 32, $"cache file of {bytes.Length} bytes");
            Assert.Equal(1u, BitConverter.ToUInt32(bytes, 4));
            Assert.Equal(Device.Info.VendorId, BitConverter.ToUInt32(bytes, 8));
            Assert.Equal(Device.Info.DeviceId, BitConverter.ToUInt32(bytes, 12));

            using var second = Fixture.Instance.CreateDevice(options);
            Assert.Equal(bytes.Length, second.PipelineCacheBytesLoaded);
            second.Pipeline("gemm", SpecConstant.Int(0, 8), SpecConstant.Int(1, 8), SpecConstant.Int(2, 2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void A_corrupt_pipeline_cache_file_is_ignored_reported_and_rebuilt(string corruption)
    {
        var dir = Directory.CreateTempSubdirectory("engine-cache-").FullName;
        try
        {
            var options = new DeviceOptions { PipelineCacheDirectory = dir };
            var path = Path.Combine(dir, $"pipelines-{Device.Info.DeviceUuid}-{Device.Info.DriverVersion:x8}.bin");
            byte[] corrupt = corruption == "garbage"
                ? [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11))]
                : File.ReadAllBytes(ValidCacheFile(dir))[..20];
            File.WriteAllBytes(path, corrupt);
            using (var device = Fixture.Instance.CreateDevice(options))
            {
                Assert.Equal(0, device.PipelineCacheBytesLoaded);
                Assert.Equal($"{corrupt.Length} bytes that are not a pipeline cache of this device", device.PipelineCacheIgnored);
                device.Pipeline("ops/elementwise");
            }

            // Closing the device rebuilt the file: a cache of this device, which the next device loads whole.
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length >= 32, $"cache file of {bytes.Length} bytes");
            Assert.Equal(1u, BitConverter.ToUInt32(bytes, 4));
            Assert.Equal(Device.Info.VendorId, BitConverter.ToUInt32(bytes, 8));
            Assert.Equal(Device.Info.DeviceId, BitConverter.ToUInt32(bytes, 12));
            using var next = Fixture.Instance.CreateDevice(options);
            Assert.Null(next.PipelineCacheIgnored);
            Assert.Equal(bytes.Length, next.PipelineCacheBytesLoaded);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A cache file written by a device that opened on an empty <paramref name="dir"/>, as every run leaves one.</summary>
    private string ValidCacheFile(string dir)
    {
        using (var device = Fixture.Instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = dir }))
            Assert.Null(device.PipelineCacheIgnored);
        return Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Opening_the_device_is_clean_under_validation() =>
        Assert.True(Fixture.MessagesAtCreation.Count == 0, string.Join("\n", Fixture.MessagesAtCreation));

    [Fact]
    public void Device_reports_its_limits()
    {
        var info = Device.Info;
        Assert.False(string.IsNullOrEmpty(info.Name));
        Assert.True(info.MaxStorageBufferRange >= 1 << 27, $"maxStorageBufferRange {info.MaxStorageBufferRange}");
        Assert.True(info.SubgroupSize >= 1);
        Assert.True(info.TimelineSemaphores);
        Assert.NotEmpty(info.MemoryHeaps);
    }

    [Fact]
    public void A_failed_vulkan_call_names_the_call_and_the_object()
    {
        // Without validation: the point is the driver's own error, which the layer would flag first.
        using var instance = Instance.Create(validation: false, NullLoggerFactory.Instance);
        using var device = instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = null });
        var error = Assert.Throws<VulkanException>(() => device.CreateBuffer("absurd", 1ul << 50));
        Assert.True(error.Result < 0);
        Assert.StartsWith("vk", error.Call, StringComparison.Ordinal);
        Assert.Contains("buffer 'absurd'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_vulkan_device_gives_a_clear_error()
    {
        var engine = Path.Combine(AppContext.BaseDirectory, "engine.dll");
        var start = new ProcessStartInfo("dotnet", [engine, "devices"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["VK_ICD_FILENAMES"] = "/nonexistent/icd.json";
        start.Environment["VK_DRIVER_FILES"] = "/nonexistent/icd.json";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Matches("^error: .*(No Vulkan device|vkCreateInstance|vkEnumeratePhysicalDevices)", stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
