using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// `--record out.mp4`: presented frames downloaded and piped raw (BGRA) into an ffmpeg child that encodes H.264
/// at the source's frame rate (4:2:0 for even sizes, 4:4:4 otherwise, which 4:2:0 cannot hold). MP4 is written in
/// fragments of half a second, flushed as they are made, so a file cut short (the encoder killed, the disk full)
/// still plays up to its last fragment.
/// A fault of the recording never stops the host: when the encoder dies it is restarted on a new file (out.1.mp4,
/// out.2.mp4, ...) with the reason logged; when the disk is full (restarting would fail the same way), or a
/// restarted encoder dies again within its first second, the recording stops with a message saying why and the
/// frames after it are not recorded.
/// </summary>
public sealed class RecordingPresenter : IPresenter
{
    // strerror texts of ENOSPC, EDQUOT and EFBIG as ffmpeg prints them: the file cannot grow.
    private static readonly string[] _diskFull = ["No space left on device", "Disk quota exceeded", "File too large"];

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly int _width;
    private readonly int _height;
    private readonly double _fps;
    private readonly List<string> _files = [];
    private Process? _process;
    private Stream? _stdin;
    private Task<string>? _stderr;
    private long _framesInFile;
    private long _encoderStarted;

    public RecordingPresenter(string path, int width, int height, double fps, ILogger logger)
    {
        _path = path;
        _logger = logger;
        (_width, _height, _fps) = (width, height, fps);
        StartEncoder(path);
    }

    /// <summary>Frames written to the encoders, over every file.</summary>
    public long Frames { get; private set; }

    /// <summary>The files recorded to, in order: the path given, then one per encoder restart.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Why the recording stopped for good (null while it records).</summary>
    public string? StopReason { get; private set; }

    /// <summary>The process id of the current encoder (null once the recording stopped).</summary>
    public int? ProcessId => _process?.Id;

    public void Present(OverlayImage image, long frame)
    {
        if (image.Width != _width || image.Height != _height)
            throw new EngineException($"--record {_path}: frame {image.Width}x{image.Height}, the recording is {_width}x{_height}.");
        if (_stdin is null)
            return;
        var pixels = image.Download();
        try
        {
            _stdin.Write(pixels);
        }
        catch (IOException)
        {
            // The pipe broke: the encoder died. Its exit and stderr say why; the frame goes to the next file, if any.
            if (!Restart())
                return;
            try
            {
                _stdin!.Write(pixels);
            }
            catch (IOException)
            {
                // The new encoder died at once: the next frame's write finds out why and stops the recording.
                return;
            }
        }
        Frames++;
        _framesInFile++;
    }

    private void StartEncoder(string path)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        var pixelFormat = _width % 2 == 0 && _height % 2 == 0 ? "yuv420p" : "yuv444p";
        foreach (var a in (string[])["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgra",
            "-s", $"{_width}x{_height}", "-r", _fps.ToString("0.###", CultureInfo.InvariantCulture), "-i", "-",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pixelFormat,
            "-movflags", "+empty_moov+default_base_moof", "-frag_duration", "500000", "-flush_packets", "1", path])
            start.ArgumentList.Add(a);
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new EngineException("--record needs ffmpeg (Debian: apt-get install ffmpeg).");
        }
        _stdin = _process.StandardInput.BaseStream;
        _stderr = _process.StandardError.ReadToEndAsync();
        _process.StandardOutput.ReadToEndAsync();
        _files.Add(path);
        _framesInFile = 0;
        _encoderStarted = Stopwatch.GetTimestamp();
    }

    /// <summary>After the encoder died: a new encoder on the next file, or false (and the recording stopped) when that cannot help.</summary>
    private bool Restart()
    {
        var file = _files[^1];
        var (code, error) = StopEncoder();
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var diskFull = lines.LastOrDefault(l => _diskFull.Any(e => l.Contains(e, StringComparison.Ordinal)));
        var detail = diskFull ?? lines.LastOrDefault();
        var reason = $"ffmpeg exited with code {code}" + (code > 128 ? $" (killed by signal {code - 128})" : "") + (detail is null ? "" : $": {detail}");
        if (diskFull is not null)
            return Stop($"--record {file}: the disk is full ({reason}); recording stopped after {Frames} frames, the run goes on without it");
        // A restarted encoder that dies at once cannot be helped by another restart; wall time, not a
        // frame count, since the host may present fewer frames a second than the source delivers.
        if (_files.Count > 1 && (_framesInFile == 0 || Stopwatch.GetElapsedTime(_encoderStarted) < TimeSpan.FromSeconds(1)))
            return Stop($"--record {file}: the restarted encoder died within its first second (or before its first frame) ({reason}); recording stopped after {Frames} frames, the run goes on without it");
        var next = Path.Combine(Path.GetDirectoryName(_path) ?? "", string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileNameWithoutExtension(_path)}.{_files.Count}{Path.GetExtension(_path)}"));
        _logger.LogWarning("--record {File}: the encoder died ({Reason}) after {Frames} frames; recording goes on in {Next}", file, reason, _framesInFile, next);
        StartEncoder(next);
        return true;
    }

    private bool Stop(string reason)
    {
        StopReason = reason;
        _logger.LogError("{Reason}", reason);
        return false;
    }

    /// <summary>Closes the encoder's input, waits for it to exit and returns its exit code and error output.</summary>
    private (int Code, string Error) StopEncoder()
    {
        try
        {
            _stdin!.Dispose();
        }
        catch (IOException)
        {
            // The encoder already died; its exit code and stderr say why.
        }
        _process!.WaitForExit();
        var result = (_process.ExitCode, _stderr!.Result.Trim());
        _process.Dispose();
        (_process, _stdin, _stderr) = (null, null, null);
        return result;
    }

    public void Dispose()
    {
        if (_process is null)
            return;
        var file = _files[^1];
        var (code, error) = StopEncoder();
        if (code != 0)
            _logger.LogError("--record {Path}: ffmpeg exited with code {Code}: {Error}", file, code, error);
    }
}
