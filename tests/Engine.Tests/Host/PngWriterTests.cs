using Engine.Host;

namespace Engine.Tests.Host;

public sealed class PngWriterTests
{
    [ToolFact("ffmpeg")]
    public void A_written_png_decodes_to_the_same_pixels()
    {
        const int W = 13, H = 7;
        var bgra = new byte[W * H * 4];
        var random = new Random(3);
        random.NextBytes(bgra);
        var path = Path.Combine(Path.GetTempPath(), $"engine-png-{Guid.NewGuid():N}.png");
        var raw = Path.ChangeExtension(path, ".rgb");
        try
        {
            PngWriter.WriteBgra(path, bgra, W, H);
            TestMedia.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
            var rgb = File.ReadAllBytes(raw);
            Assert.Equal(W * H * 3, rgb.Length);
            for (var i = 0; i < W * H; i++)
                Assert.Equal((bgra[i * 4 + 2], bgra[i * 4 + 1], bgra[i * 4]), (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]));
        }
        finally
        {
            File.Delete(path);
            File.Delete(raw);
        }
    }
}
