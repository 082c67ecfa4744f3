using Engine.Gpu;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Gpu;

/// <summary>
/// One validated device shared by every GPU test: lavapipe (or whatever device the machine has) with
/// the Khronos validation layer on, synchronization validation included. Tests derive from <see cref="GpuTest"/>, which fails a test that
/// produced any validation message above INFO.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    public GpuFixture()
    {
        CacheDirectory = Directory.CreateTempSubdirectory("engine-tests-cache-").FullName;
        Instance = Instance.Create(validation: true, NullLoggerFactory.Instance);
        Device = Instance.CreateDevice(new DeviceOptions { PipelineCacheDirectory = CacheDirectory });
        MessagesAtCreation = Device.ValidationMessages;
    }

    /// <summary>What the validation layer said while the instance and device were created.</summary>
    public IReadOnlyList<string> MessagesAtCreation { get; }

    /// <summary>The validated instance the device came from; tests open further devices from it (two logical devices on one physical device).</summary>
    public Instance Instance { get; }

    public Device Device { get; }

    public string CacheDirectory { get; }

    public void Dispose()
    {
        Device.Dispose();
        Instance.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}

[CollectionDefinition("gpu")]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>;

[Collection("gpu")]
public abstract class GpuTest : IDisposable
{
    private readonly int _messagesBefore;

    protected GpuTest(GpuFixture fixture)
    {
        Device = fixture.Device;
        Fixture = fixture;
        _messagesBefore = Device.ValidationMessages.Count;
    }

    protected Device Device { get; }

    protected GpuFixture Fixture { get; }

    public void Dispose()
    {
        Device.WaitIdle();
        var messages = Device.ValidationMessages.Skip(_messagesBefore).ToArray();
        Assert.True(messages.Length == 0, "Vulkan validation reported:\n" + string.Join("\n", messages));
        GC.SuppressFinalize(this);
    }

    protected static float[] RandomFloats(int count, int seed, float scale = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
