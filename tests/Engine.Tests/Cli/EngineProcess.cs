using System.Diagnostics;

namespace Engine.Tests.Cli;

/// <summary>
/// The `engine` CLI running as a child process while a test acts on the world around it: its output
/// lines (the log on stdout, errors on stderr) can be waited for as they come, Ctrl-C sent as a user
/// would (SIGINT), and its exit collected. Dispose kills it if it is still running.
/// </summary>
public sealed class EngineProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task[] _drains;
    private int _open = 2;

    public EngineProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "engine.dll"), .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // .NET emulates Windows share modes with advisory locks, so a file the engine writes (JSON lines)
        // could not be opened by the test while it runs; readers outside .NET never see those locks.
        start.Environment["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1";
        _process = Process.Start(start)!;
        _drains = [Drain(_process.StandardOutput), Drain(_process.StandardError)];
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote so far, stdout and stderr lines interleaved as they came.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }
    }

    private Task Drain(StreamReader reader) => Task.Run(async () =>
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                Monitor.PulseAll(_lines);
            }
        }
        lock (_lines)
        {
            _open--;
            Monitor.PulseAll(_lines);
        }
    });

    /// <summary>Blocks until an output line contains <paramref name="text"/>; fails the test if the process ends first or after <paramref name="hangGuard"/>.</summary>
    public void WaitForOutput(string text, TimeSpan hangGuard)
    {
        var clock = Stopwatch.StartNew();
        lock (_lines)
        {
            while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                Assert.True(_open > 0, $"the engine ended before saying \"{text}\":\n{string.Join('\n', _lines)}");
                var left = hangGuard - clock.Elapsed;
                Assert.True(left > TimeSpan.Zero, $"the engine did not say \"{text}\" within {hangGuard.TotalSeconds:0} s:\n{string.Join('\n', _lines)}");
                Monitor.Wait(_lines, left);
            }
        }
    }

    /// <summary>Ctrl-C: SIGINT, which the engine answers by ending its run as at any other bound.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The exit code once the process ended and its output was read; fails the test (and kills the process) after <paramref name="hangGuard"/>.</summary>
    public int WaitForExit(TimeSpan hangGuard)
    {
        if (!_process.WaitForExit(hangGuard))
            Assert.Fail($"the engine did not exit within {hangGuard.TotalSeconds:0} s:\n{Output}");
        _process.WaitForExit();
        Task.WaitAll(_drains);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
