using System.Text.Json;
using Engine.Gpu;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

/// <summary>
/// Softmax and Resize whose outputs exceed one storage-buffer binding, against
/// tests/fixtures/gen_large_outputs.py: PyTorch's values at sampled output rows.
/// </summary>
public sealed class LargeOutputTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "large_outputs";

    private static readonly Lazy<JsonElement> _cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), "cases.json"))).RootElement);

    [Fact]
    public void Softmax_splits_an_output_larger_than_a_storage_binding_into_row_chunks()
    {
        var (u, v) = (Fixtures.Npy(Set, "softmax.u").ToFloats(), Fixtures.Npy(Set, "softmax.v").ToFloats());
        var shape = new Shape(u.Length, v.Length);
        var x = new float[shape.ElementCount];
        for (var r = 0; r < u.Length; r++)
        {
            for (var c = 0; c < v.Length; c++)
                x[(long)r * v.Length + c] = u[r] * v[c];
        }
        using var tx = Device.CreateTensor<float>("x", shape, x);
        using var ty = Device.CreateTensor("y", shape);
        var op = new Softmax(Device, tx, ty, (float)_cases.Value.GetProperty("softmax").GetProperty("scale").GetDouble());
        AssertChunked(op.Chunks, ty);
        Device.Run(op.Record);
        AssertRows("softmax", ty.Download<float>(), v.Length);
    }

    [Fact]
    public void Resize_splits_an_output_larger_than_a_storage_binding_into_frame_chunks()
    {
        var size = _cases.Value.GetProperty("resize").GetProperty("size").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var (x, shape, channels) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, "resize.x"));
        using var tx = Device.CreateTensor<float>("x", shape, x);
        using var ty = Device.CreateTensor("y", new Shape(shape[0], shape[1], size[0], size[1], shape[4]));
        var op = new Resize(Device, tx, ty, ResizeMode.Bilinear);
        AssertChunked(op.Chunks, ty);
        Device.Run(op.Record);
        AssertRows("resize", ty.Download<float>(), shape[4], channels);
    }

    private void AssertChunked(int chunks, Tensor output)
    {
        Assert.True(output.ByteExtent > Device.Limits.maxStorageBufferRange, $"{output} must exceed one storage-buffer binding");
        Assert.True(chunks > 1, $"{output} was bound whole ({chunks} dispatch)");
    }

    /// <summary>Compares rows of <paramref name="width"/> floats (their first <paramref name="used"/>) with PyTorch's sampled rows.</summary>
    private static void AssertRows(string name, float[] actual, int width, int? used = null)
    {
        var rows = Fixtures.Npy(Set, $"{name}.rows");
        var expected = Fixtures.Npy(Set, $"{name}.y_rows").ToFloats();
        var cols = used ?? width;
        var got = new float[expected.Length];
        for (var i = 0; i < rows.Shape[0]; i++)
        {
            var row = BitConverter.ToInt64(rows.Data, i * 8);
            Array.Copy(actual, row * width, got, (long)i * cols, cols);
        }
        OpFixtures.AssertClose(expected, got, name);
    }
}
