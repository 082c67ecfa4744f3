using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Engine.Host;

/// <summary>Writes 8-bit RGB PNG images (PNG 1.2: IHDR, one zlib IDAT with filter 0 rows, IEND; CRC-32 per chunk).</summary>
public static class PngWriter
{
    private static readonly uint[] _crcTable = CrcTable();

    /// <summary>Writes a BGRA image (as the overlay produces it) as an RGB PNG.</summary>
    public static void WriteBgra(string path, ReadOnlySpan<byte> bgra, int width, int height)
    {
        using var file = File.Create(path);
        Write(file, bgra, width, height, red: 2, blue: 0);
    }

    /// <summary>Writes an RGBA image (as a stream's view carries it) as an RGB PNG; alpha is dropped.</summary>
    public static void WriteRgba(Stream stream, ReadOnlySpan<byte> rgba, int width, int height) =>
        Write(stream, rgba, width, height, red: 0, blue: 2);

    /// <summary>Four bytes a pixel, red and blue at the given offsets (green at 1), written as RGB rows.</summary>
    private static void Write(Stream stream, ReadOnlySpan<byte> pixels, int width, int height, int red, int blue)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            var row = y * (1 + width * 3);
            raw[row] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                var s = (y * width + x) * 4;
                var d = row + 1 + x * 3;
                raw[d] = pixels[s + red];
                raw[d + 1] = pixels[s + 1];
                raw[d + 2] = pixels[s + blue];
            }
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(raw);

        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour
        Chunk(stream, "IHDR", header);
        Chunk(stream, "IDAT", compressed.ToArray());
        Chunk(stream, "IEND", []);
    }

    private static void Chunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        stream.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        stream.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
            crc = _crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] CrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
