using Engine.Host;

namespace Engine.Tests.Host;

public sealed class PngWriterTests
{
    private const int W = 13, H = 7;

    [ToolFact("ffmpeg")]
    public void A_written_bgra_png_decodes_to_the_same_pixels()
    {
        var bgra = RandomPixels();
        var rgb = Decoded(path => PngWriter.WriteBgra(path, bgra, W, H));
        for (var i = 0; i < W * H; i++)
            Assert.Equal((bgra[i * 4 + 2], bgra[i * 4 + 1], bgra[i * 4]), (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]));
    }

    [ToolFact("ffmpeg")]
    public void A_written_rgba_png_decodes_to_the_same_pixels()
    {
        var rgba = RandomPixels();
        var rgb = Decoded(path =>
        {
            using var file = File.Create(path);
            PngWriter.WriteRgba(file, rgba, W, H);
        });
        for (var i = 0; i < W * H; i++)
            Assert.Equal((rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]), (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]));
    }

    private static byte[] RandomPixels()
    {
        var pixels = new byte[W * H * 4];
        new Random(3).NextBytes(pixels);
        return pixels;
    }

    /// <summary>Writes a PNG with <paramref name="write"/> and returns its pixels as RGB, decoded by ffmpeg.</summary>
    private static byte[] Decoded(Action<string> write)
    {
        var path = Path.Combine(Path.GetTempPath(), $"engine-png-{Guid.NewGuid():N}.png");
        try
        {
            write(path);
            var rgb = TestMedia.DecodeRgb(path);
            Assert.Equal(W * H * 3, rgb.Length);
            return rgb;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
