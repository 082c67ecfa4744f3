using System.Runtime.InteropServices;
using System.Text.Json;
using Engine.Files;
using Engine.Gpu;

namespace Engine.Tests.Detection;

/// <summary>The fixtures of tests/fixtures/gen_detection_ops.py (torchvision 0.14) and tensor helpers for them.</summary>
public static class DetectionFixtures
{
    public const string Set = "detection_ops";

    public static JsonElement Case(string name) => Fixtures.Case(Set, name);

    public static NpyArray Array(string name, string array) => Fixtures.Npy(Set, $"{name}.{array}");

    public static float[] Floats(string name, string array) => Array(name, array).ToFloats();

    public static int[] Ints(string name, string array)
    {
        var a = Array(name, array);
        Assert.Equal(DataType.Int32, a.Type);
        return MemoryMarshal.Cast<byte, int>(a.Data).ToArray();
    }

    public static Tensor Upload(Device device, string tensor, NpyArray array) =>
        device.CreateTensor<float>(tensor, array.Shape, array.ToFloats());

    public static Tensor Ints(Device device, string tensor, int[] values) =>
        device.CreateTensor<int>(tensor, new Shape(values.Length), values, DataType.Int32);

    public static Tensor Count(Device device, string tensor, uint value = 0) =>
        device.CreateTensor<uint>(tensor, new Shape(1), [value], DataType.UInt32);

    public static Tensor Scratch(Device device, long bytes) => device.CreateTensor("scratch", new Shape(checked((int)((bytes + 3) / 4))));

    /// <summary>The valid prefix of an index output.</summary>
    public static int[] Valid(Tensor indices, Tensor count) => indices.Download<int>()[..(int)count.Download<uint>()[0]];
}
