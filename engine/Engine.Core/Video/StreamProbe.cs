using System.Diagnostics;
using System.Globalization;

namespace Engine.Video;

/// <summary>Asks ffprobe for a source's first video stream: size and frame rate, within a timeout.</summary>
public static class StreamProbe
{
    /// <summary>The stream's size and rate; an <see cref="EngineException"/> naming the source when it cannot be opened.</summary>
    public static (int Width, int Height, double Fps) Probe(FfmpegInput input, TimeSpan timeout) =>
        TryProbe(input, timeout, out var failure) ?? throw new EngineException($"{input.Name}: {failure}");

    /// <summary>
    /// The stream's size and rate, or null with <paramref name="failure"/> saying why it could not be
    /// opened (unreachable, no answer, no video), for callers that retry. A missing ffprobe still
    /// throws: retrying cannot fix it.
    /// </summary>
    public static (int Width, int Height, double Fps)? TryProbe(FfmpegInput input, TimeSpan timeout, out string failure)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "default=noprint_wrappers=1"])
            start.ArgumentList.Add(a);
        foreach (var a in input.InputArgs)
            start.ArgumentList.Add(a);
        start.ArgumentList.Add(input.Url);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new EngineException("ffprobe is not installed; sources other than the synthetic one need ffmpeg (Debian: apt-get install ffmpeg).");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                failure = $"no answer within {timeout.TotalSeconds:0.#} s; check the address, that the server is up and reachable, or use --source synthetic.";
                return null;
            }
            var fields = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
            if (process.ExitCode != 0 || !fields.ContainsKey("width"))
            {
                var reason = stderr.Result.Trim().Split('\n').LastOrDefault(l => l.Length > 0)?.Trim();
                reason = string.IsNullOrEmpty(reason) ? "it has no video stream" : reason;
                failure = $"cannot open: {reason}";
                return null;
            }
            var width = int.Parse(fields["width"], CultureInfo.InvariantCulture);
            var height = int.Parse(fields["height"], CultureInfo.InvariantCulture);
            var fps = Rate(fields.GetValueOrDefault("avg_frame_rate")) ?? Rate(fields.GetValueOrDefault("r_frame_rate")) ?? 30;
            failure = "";
            return (width, height, fps);
        }
    }

    private static double? Rate(string? text)
    {
        if (text is null)
            return null;
        var parts = text.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && n > 0 && d > 0)
            return n / d;
        return null;
    }
}
