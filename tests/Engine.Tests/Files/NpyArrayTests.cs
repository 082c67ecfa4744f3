using System.Text.Json;
using Engine.Files;
using Engine.Gpu;

namespace Engine.Tests.Files;

public sealed class NpyArrayTests
{
    public static TheoryData<string> Arrays => ["f32_5d", "f16_2d", "i64_1d", "u8_3d", "f32_scalar", "f32_empty"];

    [Theory]
    [MemberData(nameof(Arrays))]
    public void Reads_what_numpy_wrote(string name)
    {
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("files"), "summary.json"))).RootElement.GetProperty(name);
        var array = Fixtures.Npy("files", name);
        Assert.Equal(summary.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), array.Shape.Dims.ToArray());
        Assert.Equal(summary.GetProperty("dtype").GetString(), array.Type.NumpyName());
        double sum = array.Type switch
        {
            DataType.Int64 => Enumerable.Range(0, array.Data.Length / 8).Sum(i => (double)BitConverter.ToInt64(array.Data, i * 8)),
            DataType.UInt8 => array.Data.Sum(b => (double)b),
            _ => array.ToFloats().Sum(v => (double)v),
        };
        Assert.Equal(summary.GetProperty("sum").GetDouble(), sum, 3);
    }

    [Fact]
    public void Write_then_read_round_trips()
    {
        var path = Path.GetTempFileName();
        try
        {
            var values = Enumerable.Range(0, 60).Select(i => i * 0.5f - 3).ToArray();
            NpyArray.FromFloats(new Shape(3, 4, 5), values).Write(path);
            var back = NpyArray.Read(path);
            Assert.Equal(new Shape(3, 4, 5), back.Shape);
            Assert.Equal(values, back.ToFloats());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_png_is_refused_with_the_file_name()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13]);
            var error = Assert.Throws<EngineException>(() => NpyArray.Read(path));
            Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
