using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>
/// `--record out.mp4`: presented frames downloaded and piped raw (BGRA) into an ffmpeg child that encodes H.264
/// at the source's frame rate (4:2:0 for even sizes, 4:4:4 otherwise, which 4:2:0 cannot hold).
/// </summary>
public sealed class RecordingPresenter : IPresenter
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Task<string> _stderr;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly int _width;
    private readonly int _height;

    public RecordingPresenter(string path, int width, int height, double fps, ILogger logger)
    {
        _path = path;
        _logger = logger;
        (_width, _height) = (width, height);
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        var pixelFormat = width % 2 == 0 && height % 2 == 0 ? "yuv420p" : "yuv444p";
        foreach (var a in (string[])["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgra",
            "-s", $"{width}x{height}", "-r", fps.ToString("0.###", CultureInfo.InvariantCulture), "-i", "-",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", pixelFormat, path])
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
    }

    public long Frames { get; private set; }

    public void Present(OverlayImage image, long frame)
    {
        if (image.Width != _width || image.Height != _height)
            throw new EngineException($"--record {_path}: frame {image.Width}x{image.Height}, the recording is {_width}x{_height}.");
        try
        {
            _stdin.Write(image.Download());
            Frames++;
        }
        catch (IOException e)
        {
            throw new EngineException($"--record {_path}: the encoder stopped ({e.Message}): {_stderr.Result.Trim()}");
        }
    }

    public void Dispose()
    {
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // The encoder already died; its stderr below says why.
        }
        _process.WaitForExit();
        if (_process.ExitCode != 0)
            _logger.LogError("--record {Path}: ffmpeg exited with code {Code}: {Error}", _path, _process.ExitCode, _stderr.Result.Trim());
        _process.Dispose();
    }
}
