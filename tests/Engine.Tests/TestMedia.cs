using System.Diagnostics;
using System.Globalization;

namespace Engine.Tests;

/// <summary>Small video files made with ffmpeg's test sources, for source and end-to-end tests.</summary>
public static class TestMedia
{
    /// <summary>A solid-colour H.264 file (ffmpeg lavfi `color`), cached in the temp folder.</summary>
    public static string SolidColour(string colour, int width, int height, double seconds, int fps = 30)
    {
        var path = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"engine-test-{colour}-{width}x{height}-{seconds}s-{fps}.mp4"));
        if (!File.Exists(path))
        {
            var partial = path + ".partial.mp4";
            Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                string.Create(CultureInfo.InvariantCulture, $"color=c={colour}:s={width}x{height}:r={fps}:d={seconds}"),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", partial);
            File.Move(partial, path, overwrite: true);
        }
        return path;
    }

    /// <summary>(frames, width, height) of a video file's first stream, counted by decoding.</summary>
    public static (int Frames, int Width, int Height) Probe(string path)
    {
        var output = Run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", path);
        var parts = output.Trim().Split(',');
        return (int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>An image file's pixels as RGB bytes, rows top to bottom, decoded by ffmpeg.</summary>
    public static byte[] DecodeRgb(string imagePath)
    {
        var raw = imagePath + ".rgb";
        try
        {
            Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", imagePath, "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
            return File.ReadAllBytes(raw);
        }
        finally
        {
            File.Delete(raw);
        }
    }

    public static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(" ", args)} failed: {stderr.Result}");
        return stdout;
    }

    public static bool OnPath(string tool) => Locate(tool) is not null;

    /// <summary>
    /// The full path of <paramref name="tool"/> on PATH, or in /usr/sbin where Debian puts daemons
    /// (mosquitto) and which a user's PATH often lacks; null if neither has it.
    /// </summary>
    public static string? Locate(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
