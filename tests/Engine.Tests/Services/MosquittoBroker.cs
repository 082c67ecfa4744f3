using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Engine.Tests.Services;

/// <summary>
/// A real Mosquitto broker on a free loopback port, started by a test and killed in Dispose. Anonymous
/// and without persistence, so a restart forgets retained messages and sessions as a crash would.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("engine-mosquitto-");
    private readonly StringBuilder _log = new();
    private Process? _process;

    public MosquittoBroker()
    {
        Port = FreePort();
        // stderr: mosquitto buffers a stdout that is not a terminal, so its "running" line would not come in time.
        File.WriteAllText(Config, $"listener {Port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n");
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    private string Config => Path.Combine(_directory.FullName, "mosquitto.conf");

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts the broker on <see cref="Port"/> and returns once its log says it is running (it listens by then).</summary>
    public void Start()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(TestMedia.Locate("mosquitto")!, ["-c", Config]) { RedirectStandardOutput = true, RedirectStandardError = true },
            EnableRaisingEvents = true,
        };
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is not { } line)
                return;
            lock (_log)
                _log.AppendLine(line);
            if (line.EndsWith(" running", StringComparison.Ordinal))
                running.TrySetResult();
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.Exited += (_, _) => running.TrySetException(new InvalidOperationException($"mosquitto exited before it ran:\n{Log}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        if (!running.Task.Wait(Waits.HangGuard))
            Assert.Fail($"mosquitto did not start within {Waits.HangGuard}:\n{Log}");
    }

    /// <summary>SIGKILL, as a crash: the broker closes no session and publishes nothing more.</summary>
    public void Kill()
    {
        if (_process is null)
            return;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public void Dispose()
    {
        Kill();
        _directory.Delete(recursive: true);
    }
}
