using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engine.Tests.Services;

/// <summary>
/// Debian's chromium, headless, showing one page at a time, driven over the DevTools protocol: evaluate script
/// in the page (awaiting its promise, so a test waits for an event in the page rather than for time)
/// and take screenshots. The DevTools port is chosen by chromium (port 0) and read from its stderr.
/// Killed, with its profile folder deleted, on Dispose.
/// </summary>
public sealed partial class HeadlessChromium : IDisposable
{
    /// <summary>Only a hang reaches it: every wait here ends on an event first.</summary>
    private static readonly TimeSpan _safety = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly DirectoryInfo _profile = Directory.CreateTempSubdirectory("engine-chromium-");
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    public HeadlessChromium(int width, int height)
    {
        var start = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--no-first-run", "--no-default-browser-check", "--remote-debugging-port=0",
            $"--user-data-dir={_profile.FullName}", $"--window-size={width},{height}", "about:blank",
        })
            start.ArgumentList.Add(a);
        var devTools = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
                stderr.AppendLine(e.Data);
            if (e.Data is null)
                devTools.TrySetException(new InvalidOperationException($"chromium exited before it listened for DevTools: {stderr}"));
            else if (DevToolsLine().Match(e.Data) is { Success: true } match)
                devTools.TrySetResult(new Uri(match.Groups[1].Value));
        };
        _process.Start();
        try
        {
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(_safety);
            var browser = devTools.Task.WaitAsync(timeout.Token).GetAwaiter().GetResult();
            using var http = new HttpClient();
            using var targets = JsonDocument.Parse(http.GetStringAsync($"http://{browser.Authority}/json/list", timeout.Token).GetAwaiter().GetResult());
            var target = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
            _socket.ConnectAsync(new Uri(target.GetProperty("webSocketDebuggerUrl").GetString()!), timeout.Token).GetAwaiter().GetResult();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Opens the page and returns once its load event fired (its script has started).</summary>
    public async Task Open(Uri page)
    {
        await Call("Page.enable", new { });
        await Call("Page.navigate", new { url = page.ToString() }, untilEvent: "Page.loadEventFired");
    }

    /// <summary>Evaluates an expression in the page, awaiting it when it is a promise; returns its value as JSON.</summary>
    public async Task<JsonElement> Evaluate(string expression)
    {
        var result = await Call("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"page script failed: {exception}");
        return result.GetProperty("result").GetProperty("value");
    }

    /// <summary>The viewport's pixels as RGB bytes, rows top to bottom (a PNG screenshot decoded by ffmpeg), with its size.</summary>
    public async Task<(byte[] Rgb, int Width, int Height)> Screenshot()
    {
        var result = await Call("Page.captureScreenshot", new { format = "png" });
        var png = Convert.FromBase64String(result.GetProperty("data").GetString()!);
        var path = Path.Combine(_profile.FullName, "screenshot.png");
        await File.WriteAllBytesAsync(path, png);
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        var rgb = TestMedia.DecodeRgb(path);
        Assert.Equal(width * height * 3, rgb.Length);
        return (rgb, width, height);
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _profile.Delete(recursive: true);
    }

    /// <summary>
    /// Sends one command and reads messages until its answer and, when <paramref name="untilEvent"/>
    /// is given, that event too (it may come before or after the answer); other events are skipped.
    /// </summary>
    private async Task<JsonElement> Call(string method, object parameters, string? untilEvent = null)
    {
        using var timeout = new CancellationTokenSource(_safety);
        var id = ++_nextId;
        var command = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1 << 16];
        JsonElement? answer = null;
        var eventSeen = untilEvent is null;
        while (answer is null || !eventSeen)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            using var json = JsonDocument.Parse(message.ToArray());
            var root = json.RootElement;
            if (root.TryGetProperty("method", out var name))
            {
                eventSeen |= name.GetString() == untilEvent;
                continue;
            }
            if (root.GetProperty("id").GetInt32() != id)
                continue;
            if (root.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"DevTools {method} failed: {error}");
            answer = root.GetProperty("result").Clone();
        }
        return answer.Value;
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
