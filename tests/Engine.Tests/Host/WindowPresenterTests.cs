using System.Diagnostics;
using System.Globalization;
using Engine.Host;

namespace Engine.Tests.Host;

/// <summary>
/// The window presenter as a user sees it: `engine live --window` on an Xvfb display, checked by
/// screenshots of the root window (imagemagick's import) decoded with ffmpeg.
/// </summary>
public sealed class WindowPresenterTests
{
    private const int W = 320, H = 240;

    private static byte[] Screenshot(string display, string path)
    {
        TestMedia.Run("import", "-display", display, "-window", "root", path);
        var raw = path + ".rgb";
        TestMedia.Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        return File.ReadAllBytes(raw);
    }

    private static int CountBarPixels(byte[] rgb, int width)
    {
        var bar = OverlayComposer.BarColour;
        var count = 0;
        // The plugin panels sit at the bottom left of the frame, which the window shows at the top left of the screen.
        for (var y = H / 2; y < H; y++)
        {
            for (var x = 0; x < W / 2; x++)
            {
                var i = (y * width + x) * 3;
                if (rgb[i] == (byte)(bar >> 16) && rgb[i + 1] == (byte)(bar >> 8) && rgb[i + 2] == (byte)bar)
                    count++;
            }
        }
        return count;
    }

    [ToolFact("Xvfb", "import", "ffmpeg")]
    public void The_window_shows_the_frame_and_the_label_bars_on_an_X_display()
    {
        var number = Enumerable.Range(60 + Environment.ProcessId % 100, 100).First(n => !File.Exists($"/tmp/.X11-unix/X{n}") && !File.Exists($"/tmp/.X{n}-lock"));
        var display = string.Create(CultureInfo.InvariantCulture, $":{number}");
        var dir = Directory.CreateTempSubdirectory("engine-window-");
        using var xvfb = Process.Start(new ProcessStartInfo("Xvfb", [display, "-screen", "0", "640x480x24", "-nolisten", "tcp"]) { RedirectStandardError = true })!;
        Process? engine = null;
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists($"/tmp/.X11-unix/X{number}") && deadline.Elapsed < TimeSpan.FromSeconds(10))
                Thread.Sleep(100);
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "engine.dll"), "live", "--window", "--source", "synthetic",
                "--size", $"{W}x{H}", "--plugin-path", PluginCatalogTests.TestPlugins, "--plugin", "colour-head", "--seconds", "60"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            start.Environment["DISPLAY"] = display;
            engine = Process.Start(start)!;
            var stderr = engine.StandardError.ReadToEndAsync();
            _ = engine.StandardOutput.ReadToEndAsync();

            // Wait for the first prediction to be drawn: its bars appear in the window.
            byte[] shot = [];
            deadline.Restart();
            while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !engine.HasExited)
            {
                shot = Screenshot(display, Path.Combine(dir.FullName, "shot.png"));
                if (CountBarPixels(shot, 640) > 30)
                    break;
                Thread.Sleep(500);
            }
            Assert.False(engine.HasExited, $"engine exited early: {(engine.HasExited ? stderr.Result : "")}");
            Assert.Equal(640 * 480 * 3, shot.Length);
            Assert.True(CountBarPixels(shot, 640) > 30, "no label bar in the window");

            // The frame itself: most of the right half shows the synthetic scene's background exactly.
            var (matches, samples) = (0, 0);
            for (var y = 8; y < H - 8; y += 7)
            {
                for (var x = W / 2 + 40; x < W - 4; x += 5)
                {
                    samples++;
                    var i = (y * 640 + x) * 3;
                    var checker = ((y / 16) + (x / 16)) % 2 == 0 ? 8 : 0;
                    if (shot[i] == 24 + checker && shot[i + 1] == 28 + checker + y * 32 / H && shot[i + 2] == 40 + checker + x * 24 / W)
                        matches++;
                }
            }
            Assert.True(matches > samples / 2, $"{matches} of {samples} samples show the scene background");
            // Outside the window the screen stays black.
            Assert.Equal([0, 0, 0], shot.Skip((400 * 640 + 600) * 3).Take(3));
        }
        finally
        {
            if (engine is { HasExited: false })
                engine.Kill();
            engine?.WaitForExit();
            engine?.Dispose();
            xvfb.Kill();
            xvfb.WaitForExit();
            dir.Delete(recursive: true);
        }
    }
}
