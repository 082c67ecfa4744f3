using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Engine.Video;

/// <summary>
/// A source read from an ffmpeg child process: raw RGB24 frames on its stdout, its stderr drained on
/// a second thread (the tail kept to say why it died). When the child dies the reason is logged and
/// it is restarted with backoff (a file resumes where it stopped); a file that simply ends completes
/// the source unless it loops. A file read as fast as possible waits for the host to take each frame
/// (the pipe then holds ffmpeg back), so none is dropped.
/// </summary>
public sealed class FfmpegSource : IFrameSource
{
    private const int StderrLines = 20;

    private readonly FfmpegInput _input;
    private readonly SourceOptions _options;
    private readonly ILogger _logger;
    private readonly SourceThread _reader = new();
    private readonly Queue<string> _stderrTail = new();
    private readonly Lock _processLock = new();
    private Process? _process;

    public FfmpegSource(FfmpegInput input, SourceOptions options, ILogger logger)
    {
        _input = input;
        _options = options;
        _logger = logger;
        var probe = StreamProbe.Probe(input, options.OpenTimeout);
        Width = options.Width ?? probe.Width;
        Height = options.Height ?? probe.Height;
        // Scaling keeps the aspect of neither side given; odd sizes are fine for rgb24.
        if (options.Width is null && options.Height is not null)
            Width = (int)Math.Round(probe.Width * (double)options.Height.Value / probe.Height);
        if (options.Height is null && options.Width is not null)
            Height = (int)Math.Round(probe.Height * (double)options.Width.Value / probe.Width);
        Fps = options.Fps ?? probe.Fps;
        Frames = new FrameRing(Width, Height);
    }

    public string Name => _input.Name;

    public int Width { get; }

    public int Height { get; }

    public double Fps { get; }

    public FrameRing Frames { get; }

    public int Reconnects { get; private set; }

    public string? LastFailure { get; private set; }

    /// <summary>The process id of the current ffmpeg child (null between runs).</summary>
    public int? ProcessId
    {
        get
        {
            lock (_processLock)
                return _process?.Id;
        }
    }

    public void Start()
    {
        _reader.Start($"source {Name}", Run);
    }

    /// <summary>The ffmpeg arguments for a run starting <paramref name="resumeSeconds"/> into a file.</summary>
    public IReadOnlyList<string> Arguments(double resumeSeconds = 0)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error" };
        if (!_input.IsFile)
            args.AddRange(["-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32768", "-analyzeduration", "0"]);
        if (_input.IsFile)
        {
            if (!_options.AsFastAsPossible)
                args.Add("-re");
            if (_options.Loop)
                args.AddRange(["-stream_loop", "-1"]);
            if (resumeSeconds > 0)
                args.AddRange(["-ss", resumeSeconds.ToString("0.###", CultureInfo.InvariantCulture)]);
        }
        args.AddRange(_input.InputArgs);
        args.AddRange(["-i", _input.Url, "-an", "-sn", "-vf", $"scale={Width}:{Height}", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]);
        return args;
    }

    private void Run()
    {
        var failures = 0;
        long framesThisRun;
        double resumeAt = 0;
        while (!_reader.IsStopping)
        {
            framesThisRun = 0;
            var (exitCode, reason) = RunOnce(resumeAt, ref framesThisRun);
            if (_reader.IsStopping)
                break;
            if (exitCode == 0 && _input.IsFile && !_options.Loop)
            {
                _logger.LogInformation("{Source}: end of file", Name);
                break;
            }
            LastFailure = exitCode is null ? reason : $"ffmpeg exited with code {exitCode}{(reason.Length > 0 ? ": " + reason : "")}";
            failures = framesThisRun > 0 ? 1 : failures + 1;
            if (_options.MaxReconnects is { } max && failures > max)
            {
                _logger.LogError("{Source}: giving up after {Failures} failed reconnects: {Reason}", Name, failures - 1, LastFailure);
                break;
            }
            if (_input.IsFile)
                resumeAt += framesThisRun / Fps;
            var delay = _options.ReconnectBackoff[Math.Min(failures - 1, _options.ReconnectBackoff.Count - 1)];
            _logger.LogWarning("{Source}: source died ({Reason}); reconnecting in {Delay:0.##} s", Name, LastFailure, delay.TotalSeconds);
            if (_reader.Token.WaitHandle.WaitOne(delay))
                break;
            Reconnects++;
        }
        Frames.Complete();
    }

    private (int? ExitCode, string Reason) RunOnce(double resumeAt, ref long frames)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Arguments(resumeAt))
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"cannot start ffmpeg: {e.Message}");
        }
        lock (_processLock)
            _process = process;
        lock (_stderrTail)
            _stderrTail.Clear();
        var drain = new Thread(() => Drain(process)) { IsBackground = true, Name = $"ffmpeg stderr {Name}" };
        drain.Start();
        var stdout = process.StandardOutput.BaseStream;
        using var stopRegistration = _reader.Token.Register(() => Kill(process));
        try
        {
            while (!_reader.IsStopping)
            {
                var frame = Frames.Rent();
                var read = ReadFull(stdout, frame.Pixels);
                if (read < frame.Pixels.Length)
                {
                    Frames.Return(frame);
                    break;
                }
                if (_input.IsFile && _options.AsFastAsPossible)
                    Frames.WaitUntilTaken(_reader.Token);
                Frames.Publish(frame);
                frames++;
            }
        }
        catch (IOException)
        {
            // The pipe broke: the child died; its exit code and stderr say why.
        }
        process.WaitForExit();
        drain.Join();
        lock (_processLock)
            _process = null;
        string reason;
        lock (_stderrTail)
            reason = _stderrTail.LastOrDefault() ?? "";
        var code = process.ExitCode;
        process.Dispose();
        if (code == 0 && !_input.IsFile)
            reason = "the stream ended";
        return (code, reason);
    }

    private static int ReadFull(Stream stream, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private void Drain(Process process)
    {
        while (process.StandardError.ReadLine() is { } line)
        {
            _logger.LogDebug("{Source} ffmpeg: {Line}", Name, line);
            lock (_stderrTail)
            {
                _stderrTail.Enqueue(line);
                while (_stderrTail.Count > StderrLines)
                    _stderrTail.Dequeue();
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    public void Dispose() => _reader.Dispose();
}
