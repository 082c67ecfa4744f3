using Engine.Host;
using Engine.Tests.Gpu;
using Engine.Video;

namespace Engine.Tests.Host;

public sealed class OverlayTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void The_overlay_pass_blends_rectangles_and_draws_font_glyphs_over_the_frame()
    {
        const int W = 37, H = 29;
        var ring = new FrameRing(W, H, buffers: 2);
        var f = ring.Rent();
        for (var i = 0; i < W * H; i++)
            (f.Pixels[i * 3], f.Pixels[i * 3 + 1], f.Pixels[i * 3 + 2]) = ((byte)(i % 251), (byte)(i * 7 % 253), (byte)(i * 13 % 241));
        ring.Publish(f);
        var frame = ring.Take(TimeSpan.FromSeconds(1))!;

        using var gpu = new GpuFrame(Device, W, H);
        using var overlay = new OverlayRenderer(Device, W, H);
        using var layer = new OverlayLayer(Device, W, H);
        var canvas = new OverlayCanvas(W, H);
        canvas.Fill(2, 3, 20, 9, 0x80FF0000);          // half-transparent red
        canvas.Outline(22, 2, 35, 12, 0xFF00FF00, 1);  // opaque green outline
        canvas.Text(1, 16, "A1g", 2, 0xFFFFFFFF);       // white, scale 2
        Assert.Equal(3 * 8 * 4 + 3 * 4, layer.Write(canvas));
        Device.Run(list =>
        {
            gpu.Write(frame, list);
            overlay.Record(list, gpu, layer);
        });
        var image = overlay.Image.Download<byte>();

        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var i = y * W + x;
                double r = frame.Pixels[i * 3], g = frame.Pixels[i * 3 + 1], b = frame.Pixels[i * 3 + 2];
                if (x >= 2 && x < 20 && y >= 3 && y < 9)
                {
                    var a = 128 / 255.0;
                    (r, g, b) = (r + (255 - r) * a, g * (1 - a), b * (1 - a));
                }
                var inBox = x >= 22 && x < 35 && y >= 2 && y < 12;
                var inner = x >= 23 && x < 34 && y >= 3 && y < 11;
                if (inBox && !inner)
                    (r, g, b) = (0, 255, 0);
                var (lx, ly) = ((x - 1) / 2, (y - 16) / 2);
                if (x >= 1 && y >= 16 && lx < 18 && ly < 8 && BitmapFont.IsSet("A1g"[lx / 6], lx % 6, ly))
                    (r, g, b) = (255, 255, 255);
                var (gb, gg, gr, ga) = (image[i * 4], image[i * 4 + 1], image[i * 4 + 2], image[i * 4 + 3]);
                Assert.Equal(255, ga);
                Assert.True(Math.Abs(gr - r) <= 1 && Math.Abs(gg - g) <= 1 && Math.Abs(gb - b) <= 1, $"pixel ({x}, {y}): got ({gr}, {gg}, {gb}), expected ({r:0}, {g:0}, {b:0})");
            }
        }
        ring.Release(frame);
    }

    [Fact]
    public void Every_printable_ascii_glyph_is_distinct_and_space_is_empty()
    {
        var atlas = BitmapFont.Build();
        Assert.Equal((BitmapFont.Last - BitmapFont.First + 1) * BitmapFont.CellHeight, atlas.Length);
        var glyphs = Enumerable.Range(0, BitmapFont.Last - BitmapFont.First + 1)
            .Select(g => string.Join(",", atlas.Skip(g * 8).Take(8))).ToArray();
        Assert.Equal(glyphs.Length, glyphs.Distinct().Count());
        Assert.All(atlas.Take(8), row => Assert.Equal(0u, row));
        Assert.All(atlas, row => Assert.True(row < 32));
    }
}
