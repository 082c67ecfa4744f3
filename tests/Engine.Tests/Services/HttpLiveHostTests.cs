using Engine.Host;
using Engine.Services.Http;
using Engine.Tests.Gpu;
using Engine.Tests.Host;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Services;

/// <summary>The dashboard of a real running host (two synthetic streams, the colour-head test plugin) in a real Chromium.</summary>
public sealed class HttpLiveHostTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    /// <summary>Only a hang reaches it: the test waits for events in the page and the host.</summary>
    private static readonly TimeSpan _safety = TimeSpan.FromMinutes(5);

    private const int ViewWidth = 160, ViewHeight = 120;

    private readonly List<LoadedPlugin> _loaded = [];

    /// <summary>
    /// While the host runs, the page shows both streams' views and predictions; once the host has
    /// stopped, its latest views no longer change, and the screenshot must hold each one, overlay
    /// included, pixel for pixel at its place in the page.
    /// </summary>
    [ToolFact("chromium", "ffmpeg")]
    public async Task Dashboard_of_a_running_host_shows_each_streams_overlaid_frame()
    {
        string[] ids = ["synthetic:1", "synthetic:2"];
        using var cancel = new CancellationTokenSource(_safety);
        using var host = new LiveHost(Device, Device, [.. ids.Select((id, i) => Stream(id, i + 1))], [], new LiveOptions(), NullLoggerFactory.Instance);
        using var server = HttpServer.Start(HttpServerOptions.Parse("http://127.0.0.1:0", null), host, NullLoggerFactory.Instance);
        var run = Task.Run(() => host.Run(cancel.Token));
        try
        {
            using var chromium = new HeadlessChromium(1280, 900);
            await chromium.Open(server.Address);
            await chromium.Evaluate("""
                new Promise(resolve => {
                  const ready = () => document.querySelectorAll('img.view[data-frame]').length === 2
                    && document.querySelectorAll('ol.prediction').length === 2;
                  const check = () => ready() ? resolve(true) : setTimeout(check, 20);
                  check();
                })
                """);
            cancel.Cancel();
            await run;

            var views = ids.Select(id => host.LatestView(id)!).ToArray();
            await chromium.Evaluate($$"""
                new Promise(resolve => {
                  const check = () => [...document.querySelectorAll('img.view')].map(i => i.dataset.frame).join() === '{{string.Join(",", views.Select(v => v.Frame))}}'
                    ? resolve(true) : setTimeout(check, 20);
                  check();
                })
                """);
            var places = (await chromium.Evaluate("[...document.querySelectorAll('img.view')].map(i => { const r = i.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })"))
                .EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            var (rgb, width, _) = await chromium.Screenshot();
            for (var s = 0; s < views.Length; s++)
            {
                var (view, place) = (views[s], places[s]);
                Assert.Equal((ViewWidth, ViewHeight), (view.Width, view.Height));
                Assert.Equal([view.Width, view.Height], place[2..]);
                var (left, top) = ((int)Math.Round(place[0]), (int)Math.Round(place[1]));
                var differing = 0;
                var pixels = view.Rgba.Span;
                for (var y = 0; y < view.Height; y++)
                {
                    for (var x = 0; x < view.Width; x++)
                    {
                        var (v, p) = ((y * view.Width + x) * 4, ((top + y) * width + left + x) * 3);
                        // 3 per channel allows for colour management's rounding.
                        if (Math.Abs(pixels[v] - rgb[p]) > 3 || Math.Abs(pixels[v + 1] - rgb[p + 1]) > 3 || Math.Abs(pixels[v + 2] - rgb[p + 2]) > 3)
                            differing++;
                    }
                }
                Assert.True(differing == 0, $"{ids[s]}: {differing} of {view.Width * view.Height} pixels differ from the host's view");
            }
        }
        finally
        {
            cancel.Cancel();
            await run;
        }
    }

    private StreamSetup Stream(string id, int seed)
    {
        var catalog = new PluginCatalog([PluginCatalogTests.TestPlugins], NullLogger.Instance);
        var plugin = catalog.Load("colour-head");
        _loaded.Add(plugin);
        var source = new SyntheticSource(new SourceOptions { Width = ViewWidth, Height = ViewHeight, AsFastAsPossible = true, Seed = seed });
        return new StreamSetup(id, source, [new PluginSetup(plugin, null, [])], []);
    }

    public new void Dispose()
    {
        base.Dispose();
        foreach (var plugin in _loaded)
            plugin.Dispose();
    }
}
