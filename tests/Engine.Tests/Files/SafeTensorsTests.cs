using Engine.Files;

namespace Engine.Tests.Files;

public sealed class SafeTensorsTests
{
    [Fact]
    public void Write_then_read_round_trips_tensors_and_metadata()
    {
        var path = Path.GetTempFileName();
        try
        {
            var writer = new SafeTensorsWriter();
            writer.AddMetadata("format", "nonlocal-engine/weights");
            writer.AddFloats("a.weight", [2, 3], [1, 2, 3, 4, 5, 6]);
            writer.AddFloats("b", [5], [0.5f, -1, 2, -3, 4]);
            writer.Add("half", "F16", [2], s => s.Write([0x00, 0x3C, 0x00, 0xC0])); // 1.0, -2.0
            writer.Write(path);

            using var file = SafeTensorsFile.Open(path);
            Assert.Equal("nonlocal-engine/weights", file.Metadata["format"]);
            Assert.Equal(["a.weight", "b", "half"], file.Tensors.Select(t => t.Name));
            Assert.Equal([2L, 3L], file["a.weight"].Shape.ToArray());
            Assert.Equal([1f, 2, 3, 4, 5, 6], file.ReadFloats("a.weight"));
            Assert.Equal([0.5f, -1, 2, -3, 4], file.ReadFloats("b"));
            Assert.Equal([1f, -2f], file.ReadFloats("half"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "shorter than its 8-byte header length")]
    [InlineData(new byte[] { 255, 255, 255, 255, 0, 0, 0, 0, (byte)'{', (byte)'}' }, "past the end of the file")]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x' }, "not valid JSON")]
    public void Malformed_headers_get_one_clear_error(byte[] bytes, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<EngineException>(() => SafeTensorsFile.Open(path));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Offsets_past_the_data_are_refused_naming_the_tensor()
    {
        var path = Path.GetTempFileName();
        try
        {
            var header = """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"""u8.ToArray();
            using (var s = File.Create(path))
            {
                s.Write(BitConverter.GetBytes((ulong)header.Length));
                s.Write(header);
                s.Write(new byte[8]); // only half the data
            }
            var error = Assert.Throws<EngineException>(() => SafeTensorsFile.Open(path));
            Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
