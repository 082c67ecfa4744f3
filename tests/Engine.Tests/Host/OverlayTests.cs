using Engine.Gpu;
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
        var pixels = new byte[W * H * 3];
        for (var i = 0; i < W * H; i++)
            (pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]) = ((byte)(i % 251), (byte)(i * 7 % 253), (byte)(i * 13 % 241));
        var image = Draw(W, H, pixels, canvas =>
        {
            canvas.Fill(2, 3, 20, 9, 0x80FF0000);          // half-transparent red
            canvas.Outline(22, 2, 35, 12, 0xFF00FF00, 1);  // opaque green outline
            canvas.Text(1, 16, "A1g", 2, 0xFFFFFFFF);       // white, scale 2
        }, expectedLayerBytes: 3 * 8 * 4 + 3 * 4);

        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var i = y * W + x;
                double r = pixels[i * 3], g = pixels[i * 3 + 1], b = pixels[i * 3 + 2];
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
    }

    /// <summary>The overlay pass over a frame of <paramref name="pixels"/> (RGB) with what <paramref name="draw"/> puts on the canvas; the image's bytes B, G, R, A.</summary>
    private byte[] Draw(int width, int height, byte[] pixels, Action<OverlayCanvas> draw, int? expectedLayerBytes = null)
    {
        var ring = new FrameRing(width, height, buffers: 2);
        var f = ring.Rent();
        pixels.CopyTo(f.Pixels, 0);
        ring.Publish(f);
        var frame = ring.Take(TimeSpan.FromSeconds(1))!;
        using var gpu = new GpuFrame(Device, width, height);
        using var overlay = new OverlayRenderer(Device, width, height);
        using var layer = new OverlayLayer(Device, width, height);
        var canvas = new OverlayCanvas(width, height);
        draw(canvas);
        var bytes = layer.Write(canvas);
        if (expectedLayerBytes is { } expected)
            Assert.Equal(expected, bytes);
        Device.Run(list =>
        {
            gpu.Write(frame, list);
            overlay.Record(list, gpu, layer);
        });
        ring.Release(frame);
        return overlay.Image.Download<byte>();
    }

    [Theory]
    [InlineData(37, 29, 100, 60)]
    [InlineData(37, 29, 37, 29)]
    [InlineData(40, 30, 23, 71)]
    public void The_window_letterbox_scales_the_image_nearest_with_black_bars(int width, int height, int outWidth, int outHeight)
    {
        var pixels = Enumerable.Range(0, width * height).Select(i => 0xFF000000u | (uint)(i * 2654435761u >> 8)).ToArray();
        using var image = Device.CreateTensor<uint>("image", new Shape(width * height), pixels, DataType.UInt32);
        using var scaled = Device.CreateTensor("scaled", new Shape(outWidth * outHeight), DataType.UInt32);
        // Centred, aspect kept: the image is scale times larger and the rest of the window is black.
        var scale = Math.Min((double)outWidth / width, (double)outHeight / height);
        var (x0, y0) = ((int)((outWidth - width * scale) / 2), (int)((outHeight - height * scale) / 2));
        Device.Run(list => list.Dispatch(Device.Pipeline("video/letterbox"), new Groups(Groups.Cover(outWidth, 8), Groups.Cover(outHeight, 8)),
            new WindowPresenter.LetterboxPush((uint)width, (uint)height, (uint)outWidth, (uint)outHeight, x0, y0, (float)scale), image, scaled));
        var got = scaled.Download<uint>();
        for (var y = 0; y < outHeight; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                // Nearest: the image pixel under the output pixel's centre.
                var (sx, sy) = (Math.Floor((x + 0.5 - x0) / scale), Math.Floor((y + 0.5 - y0) / scale));
                var want = sx >= 0 && sy >= 0 && sx < width && sy < height ? pixels[(int)sy * width + (int)sx] : 0xFF000000u;
                Assert.True(want == got[y * outWidth + x], $"({x}, {y}): {got[y * outWidth + x]:x8}, expected {want:x8}");
            }
        }
    }

    [Fact]
    public void The_overlay_pass_draws_lines_with_round_ends_and_dots_of_their_thickness()
    {
        const int W = 41, H = 31;
        (int X0, int Y0, int X1, int Y1, int Thickness)[] segments = [(3, 4, 30, 20, 3), (10, 25, 10, 25, 4), (-20, 2, 60, 2, 1)];
        var image = Draw(W, H, Enumerable.Repeat((byte)40, W * H * 3).ToArray(), canvas =>
        {
            canvas.Line(3, 4, 30, 20, 0xFF00FF00, 3);    // green, diagonal
            canvas.Line(10, 25, 10, 25, 0xFFFF0000, 4);  // red dot
            canvas.Line(-20, 2, 60, 2, 0xFF0000FF, 1);   // blue, across the frame with both ends outside it
        });
        (byte R, byte G, byte B)[] colours = [(0, 255, 0), (255, 0, 0), (0, 0, 255)];
        var drawn = new int[3];
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                // The last segment covering a pixel's centre wins; pixels within 1e-3 of an edge are either.
                (byte R, byte G, byte B) expected = (40, 40, 40);
                var edge = false;
                for (var s = 0; s < segments.Length; s++)
                {
                    var (x0, y0, x1, y1, t) = segments[s];
                    var (dx, dy) = ((double)x1 - x0, (double)y1 - y0);
                    var along = dx * dx + dy * dy > 0 ? Math.Clamp(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0, 1) : 0;
                    var distance = Math.Sqrt(Math.Pow(x - x0 - along * dx, 2) + Math.Pow(y - y0 - along * dy, 2));
                    edge |= Math.Abs(distance - t / 2.0) < 1e-3;
                    if (distance <= t / 2.0)
                        (expected, drawn[s]) = (colours[s], drawn[s] + 1);
                }
                var i = y * W + x;
                var actual = (image[i * 4 + 2], image[i * 4 + 1], image[i * 4]);
                Assert.True(edge || actual == expected, $"pixel ({x}, {y}): {actual}, expected {expected}");
            }
        }
        // A 3-px line over ~32 px, a dot of radius 2 (13 pixel centres), and the frame's whole row 2.
        Assert.InRange(drawn[0], 80, 120);
        Assert.Equal(13, drawn[1]);
        Assert.Equal(W, drawn[2]);
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
