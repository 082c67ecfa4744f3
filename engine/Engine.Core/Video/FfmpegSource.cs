using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Engine.Video;

/// <summary>
/// A source read from an ffmpeg child process: raw RGB24 frames on its stdout, its stderr drained on
/// a second thread (the tail kept to say why it died). When the child dies the reason is logged and
/// it is restarted with the capped backoff of <see cref="SourceOptions.ReconnectBackoff"/> (a file
/// resumes where it stopped), forever unless <see cref="SourceOptions.MaxReconnects"/> is set; a file
/// that simply ends completes the source unless it loops. A file read as fast as possible waits for
/// the host to take each frame (the pipe then holds ffmpeg back), so none is dropped.
/// A live source whose size and rate are given opens at once and connects in the background (state
/// <see cref="SourceState.Connecting"/> until its first frame); one whose size or rate must be
/// learnt from the stream is probed at open, retrying while it is unreachable, because the size fixes
/// every buffer of the session built on it (frames, overlay, clip buffers, recording) and a guess
/// would distort the picture or need the session rebuilt.
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
    private int _reconnects;
    private volatile string? _lastFailure;

    public FfmpegSource(FfmpegInput input, SourceOptions options, ILogger logger)
    {
        _input = input;
        _options = options;
        _logger = logger;
        if (!input.IsFile && options is { Width: { } width, Height: { } height, Fps: { } fps })
        {
            (Width, Height, Fps) = (width, height, fps);
        }
        else
        {
            var probe = input.IsFile ? StreamProbe.Probe(input, options.OpenTimeout) : ProbeUntilReachable();
            Width = options.Width ?? probe.Width;
            Height = options.Height ?? probe.Height;
            // Scaling keeps the aspect of neither side given; odd sizes are fine for rgb24.
            if (options.Width is null && options.Height is not null)
                Width = (int)Math.Round(probe.Width * (double)options.Height.Value / probe.Height);
            if (options.Height is null && options.Width is not null)
                Height = (int)Math.Round(probe.Height * (double)options.Width.Value / probe.Width);
            Fps = options.Fps ?? probe.Fps;
        }
        Frames = new FrameRing(Width, Height);
    }

    public string Name => _input.Name;

    public int Width { get; }

    public int Height { get; }

    public double Fps { get; }

    public FrameRing Frames { get; }

    public SourceState State => _reader.State;

    public int Reconnects => Volatile.Read(ref _reconnects);

    public string? LastFailure => _lastFailure;

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

    /// <summary>
    /// Probes a live source until it answers, waiting the reconnect backoff between attempts and
    /// saying each time why and how to avoid the wait; gives up only after MaxReconnects failures.
    /// </summary>
    private (int Width, int Height, double Fps) ProbeUntilReachable()
    {
        for (var failures = 1; ; failures++)
        {
            if (StreamProbe.TryProbe(_input, _options.OpenTimeout, out var failure) is { } probe)
                return probe;
            _lastFailure = failure;
            if (GivesUpAfter(failures))
                throw new EngineException($"{Name}: {failure}");
            var delay = Backoff(failures);
            _logger.LogWarning("{Source}: not reachable ({Reason}); retrying in {Delay:0.##} s. Its frame size is needed before the run starts: give --size WxH and --fps N to start at once and connect in the background.",
                Name, failure, delay.TotalSeconds);
            Thread.Sleep(delay);
        }
    }

    private bool GivesUpAfter(int failures) => _options.MaxReconnects is { } max && failures > max;

    private TimeSpan Backoff(int failures) => _options.ReconnectBackoff[Math.Min(failures - 1, _options.ReconnectBackoff.Count - 1)];

    private void Run()
    {
        // Consecutive runs that published nothing; a run that did resets the backoff.
        var failures = 0;
        double resumeAt = 0;
        while (!_reader.IsStopping)
        {
            long framesThisRun = 0;
            var (exitCode, reason) = RunOnce(resumeAt, ref framesThisRun);
            if (_reader.IsStopping)
                break;
            if (exitCode == 0 && _input.IsFile && !_options.Loop)
            {
                _logger.LogInformation("{Source}: end of file", Name);
                break;
            }
            _lastFailure = exitCode is null ? reason : $"ffmpeg exited with code {exitCode}{(reason.Length > 0 ? ": " + reason : "")}";
            failures = framesThisRun > 0 ? 1 : failures + 1;
            if (GivesUpAfter(failures))
            {
                _logger.LogError("{Source}: giving up after {Failures} failed attempts: {Reason}", Name, failures, _lastFailure);
                break;
            }
            if (_input.IsFile)
                resumeAt += framesThisRun / Fps;
            var delay = Backoff(failures);
            if (State == SourceState.Connecting)
            {
                _logger.LogWarning("{Source}: not reachable ({Reason}); retrying in {Delay:0.##} s", Name, _lastFailure, delay.TotalSeconds);
            }
            else
            {
                Enter(SourceState.Reconnecting);
                _logger.LogWarning("{Source}: source died ({Reason}); reconnecting in {Delay:0.##} s", Name, _lastFailure, delay.TotalSeconds);
            }
            if (_reader.Token.WaitHandle.WaitOne(delay))
                break;
        }
        // Complete first: a reader that sees Ended finds the ring completed.
        Frames.Complete();
        Enter(SourceState.Ended);
    }

    /// <summary>Moves to <paramref name="state"/>, logging the change (tests and operators follow the source by it).</summary>
    private void Enter(SourceState state)
    {
        var from = State;
        if (from == state)
            return;
        if (from == SourceState.Reconnecting && state == SourceState.Live)
            Interlocked.Increment(ref _reconnects);
        _reader.State = state;
        _logger.LogInformation("{Source}: {From} -> {State}", Name, from, state);
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
                // Live before the frame is out: whoever takes it sees the state (and reconnect count) it came with.
                Enter(SourceState.Live);
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
