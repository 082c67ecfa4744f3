using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Engine.Tests.Video;

/// <summary>
/// A live stream on the loopback for network-source tests: ffmpeg encodes a solid colour as H.264 in MPEG-TS, paced in real time, with a keyframe every 10
/// frames so a client that joins mid-stream decodes within 0.4 s, and serves it over HTTP or sends it
/// to a UDP port on a free loopback port. <see cref="Start"/> brings it up, <see cref="Kill"/> kills it
/// mid-stream, Start again brings it back (with another colour if asked); Dispose kills it.
/// An ffmpeg HTTP server (`-listen 1`) serves one client and exits when that client leaves, so while
/// the stream is up a new server process is started whenever one ends, as a camera accepts one
/// connection after another (a source that probes and then reads connects twice).
/// </summary>
public sealed class LoopbackStream : IDisposable
{
    private readonly Func<string, string[]> _arguments;
    private readonly bool _serveAgain;
    private readonly Lock _lock = new();
    private Process? _process;
    private Thread? _keeper;
    private bool _up;

    private LoopbackStream(string url, bool serveAgain, Func<string, string[]> arguments)
    {
        Url = url;
        _serveAgain = serveAgain;
        _arguments = arguments;
    }

    public string Url { get; }

    public static LoopbackStream Http(int width, int height, int fps)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        return new LoopbackStream(url, serveAgain: true, colour => [.. Encode(colour, width, height, fps), "-listen", "1", url]);
    }

    public static LoopbackStream Udp(int width, int height, int fps)
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        var url = string.Create(CultureInfo.InvariantCulture, $"udp://127.0.0.1:{port}");
        return new LoopbackStream(url, serveAgain: false, colour => [.. Encode(colour, width, height, fps), $"{url}?pkt_size=1316"]);
    }

    private static string[] Encode(string colour, int width, int height, int fps) =>
        ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"color=c={colour}:s={width}x{height}:r={fps}"),
         "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "10", "-pix_fmt", "yuv420p", "-f", "mpegts"];

    /// <summary>Brings the stream up showing <paramref name="colour"/> (an ffmpeg colour name).</summary>
    public void Start(string colour)
    {
        lock (_lock)
        {
            if (_up)
                throw new InvalidOperationException($"{Url} is already up");
            _up = true;
        }
        var arguments = _arguments(colour);
        _keeper = new Thread(() => Keep(arguments)) { IsBackground = true, Name = $"stream {Url}" };
        _keeper.Start();
    }

    private void Keep(string[] arguments)
    {
        while (true)
        {
            Process process;
            lock (_lock)
            {
                if (!_up)
                    return;
                process = Process.Start(new ProcessStartInfo("ffmpeg", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                _process = process;
            }
            _ = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            process.WaitForExit();
            lock (_lock)
            {
                _process = null;
                process.Dispose();
                if (!_serveAgain)
                    return;
            }
        }
    }

    /// <summary>Kills the stream mid-frame, as a server that crashes or loses power.</summary>
    public void Kill()
    {
        lock (_lock)
        {
            _up = false;
            _process?.Kill();
        }
        _keeper?.Join();
        _keeper = null;
    }

    public void Dispose() => Kill();
}
