using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Tuning;
using Microsoft.Extensions.Logging;

namespace Engine.Tests.Tuning;

/// <summary>The tuning cache file: keyed by device UUID, driver version and shape, round-tripped, and ignored with a reason when it is not this device's.</summary>
public sealed class TuningCacheTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("engine-tuning-");
    private readonly LogRecorder _log = new();

    private static TuningEntry Entry(string choice) => new(choice, "direct m16 n16",
        [new CandidateTiming("direct m16 n16", 2.5, [2.5, 2.6, 2.4], 4.75, [4.75, 5, 4.5]), new CandidateTiming("winograd f4", 1.25, [1.25, 1.3, 1.2])], 3, 0.05);

    private TuningCache Open(Engine.Gpu.DeviceInfo? info = null, TuningMode mode = TuningMode.Cached) =>
        TuningCache.Open(_dir.FullName, info ?? Device.Info, mode, _log.CreateLogger("tuning"));

    [Fact]
    public void Choices_and_medians_round_trip_through_the_file()
    {
        var cache = Open();
        Assert.Null(cache.Ignored);
        Assert.Empty(cache.Entries);
        cache.Set("conv a", Entry("winograd f4"));
        cache.Set("conv b", Entry("direct m16 n16"));
        cache.Save();
        Assert.True(File.Exists(cache.Path));
        Assert.Empty(Directory.GetFiles(_dir.FullName, "*.tmp"));

        var again = Open();
        Assert.Null(again.Ignored);
        Assert.Equal(new Dictionary<string, string> { ["conv a"] = "winograd f4", ["conv b"] = "direct m16 n16" }, again.Choices);
        var entry = again.Entries["conv a"];
        Assert.Equal([2.5, 1.25], entry.Candidates.Select(c => c.MedianMs));
        Assert.Equal([1.25, 1.3, 1.2], entry.Candidates[1].RunsMs);
        Assert.Equal(4.75, entry.Candidates[0].CpuMedianMs);
        Assert.Equal([4.75, 5, 4.5], entry.Candidates[0].CpuRunsMs!);
        Assert.True(double.IsNaN(entry.Candidates[1].CpuMedianMs), "a candidate without CPU times (a GPU) reads back NaN");
        Assert.Equal(("direct m16 n16", 3, 0.05), (entry.Default, entry.Rounds, entry.Margin));
    }

    [Fact]
    public void The_file_is_per_device_uuid_and_driver_version()
    {
        var cache = Open();
        cache.Set("conv a", Entry("winograd f4"));
        cache.Save();
        var otherDriver = Open(Device.Info with { DriverVersion = Device.Info.DriverVersion + 1 });
        var otherDevice = Open(Device.Info with { DeviceUuid = "00112233445566778899aabbccddeeff" });
        Assert.NotEqual(cache.Path, otherDriver.Path);
        Assert.NotEqual(cache.Path, otherDevice.Path);
        Assert.Empty(otherDriver.Choices);
        Assert.Empty(otherDevice.Choices);
        Assert.Single(Open().Choices);
    }

    [Fact]
    public void A_file_of_another_device_under_this_name_is_ignored_with_the_reason_logged()
    {
        var other = Open(Device.Info with { DeviceUuid = "00112233445566778899aabbccddeeff" });
        other.Set("conv a", Entry("winograd f4"));
        other.Save();
        File.Copy(other.Path!, TuningCache.FileName(_dir.FullName, Device.Info));
        var cache = Open();
        Assert.Empty(cache.Choices);
        Assert.Contains("another device or driver", cache.Ignored, StringComparison.Ordinal);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_of_another_device_name_or_driver_build_under_this_name_is_ignored()
    {
        var other = Open(Device.Info with { DriverInfo = Device.Info.DriverInfo + " (another LLVM)" });
        Assert.Equal(TuningCache.FileName(_dir.FullName, Device.Info), other.Path);
        other.Set("conv a", Entry("winograd f4"));
        other.Save();
        var cache = Open();
        Assert.Empty(cache.Choices);
        Assert.Contains("another device or driver", cache.Ignored, StringComparison.Ordinal);

        var renamed = Open(Device.Info with { Name = "another device" });
        Assert.Empty(renamed.Choices);
        Assert.NotNull(renamed.Ignored);
    }

    [Fact]
    public void On_a_cpu_device_the_file_name_carries_the_host_key_and_on_a_gpu_it_does_not()
    {
        var cpu = Device.Info with { Type = Engine.Interop.VkPhysicalDeviceType.Cpu };
        var gpu = Device.Info with { Type = Engine.Interop.VkPhysicalDeviceType.DiscreteGpu };
        var key = TuningCache.HostKey();
        Assert.Matches("^[0-9a-f]{8}$", key);
        Assert.EndsWith($"-cpu{key}.json", TuningCache.FileName(_dir.FullName, cpu), StringComparison.Ordinal);
        Assert.DoesNotContain("-cpu", Path.GetFileName(TuningCache.FileName(_dir.FullName, gpu)), StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_writers_keep_each_others_entries_and_their_own_win()
    {
        var first = Open();
        var second = Open();
        first.Set("conv a", Entry("winograd f4"));
        first.Set("conv shared", Entry("winograd f4"));
        first.Save();
        second.Set("conv b", Entry("winograd f2"));
        second.Set("conv shared", Entry("direct m8 n4"));
        second.Save();
        var again = Open();
        Assert.Null(again.Ignored);
        Assert.Equal(new Dictionary<string, string> { ["conv a"] = "winograd f4", ["conv b"] = "winograd f2", ["conv shared"] = "direct m8 n4" }, again.Choices);
        Assert.Empty(Directory.GetFiles(_dir.FullName, "*.tmp"));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"format\": \"something else\", \"shapes\": {}}")]
    [InlineData("")]
    public void A_corrupt_file_is_ignored_with_a_reason_and_rewritten_by_the_next_save(string text)
    {
        var path = TuningCache.FileName(_dir.FullName, Device.Info);
        File.WriteAllText(path, text);
        var cache = Open();
        Assert.Empty(cache.Choices);
        Assert.NotNull(cache.Ignored);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(path, StringComparison.Ordinal));
        cache.Set("conv a", Entry("winograd f4"));
        cache.Save();
        Assert.Equal("winograd f4", Open().Choices["conv a"]);
    }

    [Fact]
    public void Tuning_off_reads_and_writes_no_file()
    {
        var cache = Open();
        cache.Set("conv a", Entry("winograd f4"));
        cache.Save();
        var off = Open(mode: TuningMode.Off);
        Assert.Null(off.Path);
        Assert.Empty(off.Choices);
    }

    [Fact]
    public void The_shape_key_names_the_convolution_and_input_shape_not_the_node()
    {
        var spec = new ConvSpec(64, 64, new Size3(1, 3, 3), padding: Size3.Planar(1, 1, 0));
        var a = new ConvNode("layer1.0.conv2", "x", "y", spec, () => [], () => []);
        var b = new ConvNode("layer1.1.conv2", "p", "q", spec, () => [], () => [], residual: "r");
        var x = TensorSpec.Activation(1, 1, 56, 56, 64);
        Assert.Equal(a.TuningKey([x], new CompileOptions()), b.TuningKey([x, x], new CompileOptions()));
        Assert.NotEqual(a.TuningKey([x], new CompileOptions()), a.TuningKey([TensorSpec.Activation(1, 1, 28, 28, 64)], new CompileOptions()));
        var strided = new ConvNode("d", "x", "y", new ConvSpec(64, 64, new Size3(1, 3, 3), Size3.Planar(2, 2), Size3.Planar(1, 1, 0)), () => [], () => []);
        Assert.NotEqual(a.TuningKey([x], new CompileOptions()), strided.TuningKey([x], new CompileOptions()));
        Assert.Contains("64->64", a.TuningKey([x], new CompileOptions()), StringComparison.Ordinal);
        Assert.Contains("(1, 1, 56, 56, 64)", a.TuningKey([x], new CompileOptions()), StringComparison.Ordinal);
    }

    public new void Dispose()
    {
        _dir.Delete(recursive: true);
        base.Dispose();
    }
}
