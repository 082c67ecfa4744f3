using System.Diagnostics;

namespace Engine.Video;

/// <summary>Video4Linux cameras on this machine and the capture formats ffmpeg reports for them.</summary>
public static class Cameras
{
    /// <summary>The /dev/video* nodes, in numeric order.</summary>
    public static IReadOnlyList<string> Devices() =>
        Directory.Exists("/dev")
            ? [.. Directory.GetFiles("/dev", "video*").OrderBy(p => int.TryParse(p["/dev/video".Length..], out var n) ? n : int.MaxValue)]
            : [];

    /// <summary>ffmpeg's list of formats and sizes of <paramref name="device"/>, one line each.</summary>
    public static IReadOnlyList<string> Formats(string device)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-hide_banner", "-nostdin", "-f", "v4l2", "-list_formats", "all", "-i", device])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var lines = process.StandardError.ReadToEnd().Split('\n');
        process.WaitForExit();
        _ = stdout.Result;
        // Lines look like "[video4linux2,v4l2 @ 0x..] Compressed: mjpeg : Motion-JPEG : 640x480 1280x720".
        return [.. lines.Where(l => l.Contains("Raw", StringComparison.Ordinal) || l.Contains("Compressed", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(']', StringComparison.Ordinal) + 1)..].Trim())];
    }

    /// <summary>The error for "no camera": what was tried and how to choose another source.</summary>
    public static EngineException NoCamera(string tried) => new(
        $"no camera found (tried {tried}). Connect a camera (check `ls /dev/video*` and that you are in the `video` group), " +
        "or choose another source: --source webcam:/dev/videoN, --source file:PATH, --source rtsp://HOST/PATH, --source synthetic. " +
        "`engine sources` lists cameras and their formats.");
}
