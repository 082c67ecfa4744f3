namespace Engine.Tests.Services;

public sealed class HttpDashboardTests : IDisposable
{
    private const string Token = "dashboard-token";
    private const int Width = 1280, Height = 900;

    private readonly HttpTestServer _http = new(Token);

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// The page, opened with the token in its fragment as a user would, in a real Chromium: once both
    /// views have loaded (the page marks each image with its frame), the screenshot must hold each
    /// stream's coloured block at its full size, and the page text the streams' figures and prediction.
    /// </summary>
    [ToolFact("chromium", "ffmpeg")]
    public async Task Dashboard_shows_every_streams_overlaid_view_figures_and_prediction()
    {
        using var chromium = new HeadlessChromium(Width, Height);
        await chromium.Open(new Uri(_http.Server.Address, $"/#token={Token}"));
        var text = (await chromium.Evaluate("""
            new Promise(resolve => {
              const ready = () => document.querySelectorAll('img.view[data-frame]').length === 2 && document.body.innerText.includes('jumping');
              const check = () => ready() ? resolve(document.body.innerText) : setTimeout(check, 20);
              check();
            })
            """)).GetString()!;
        foreach (var shown in new[] { "cam-a", "rtsp://cam/b", "live", "reconnecting", "connection refused", "29.5", "180 ms", "running 0.125", "1 box: 1 person", "motion disabled: out of memory" })
            Assert.Contains(shown, text);
        Assert.Equal(["7", "3"], (await chromium.Evaluate("[...document.querySelectorAll('img.view')].map(i => i.dataset.frame)")).EnumerateArray().Select(f => f.GetString()));

        var (rgb, width, height) = await chromium.Screenshot();
        foreach (var (colour, block) in new[] { (FakeLiveHostView.Magenta, FakeLiveHostView.BlockA), (FakeLiveHostView.Cyan, FakeLiveHostView.BlockB) })
        {
            // The views are shown at their own size (device scale 1), so each block is an exact
            // square of its colour; 3 per channel allows for colour management's rounding.
            var (count, columns, rows) = Find(rgb, width, height, colour, tolerance: 3);
            Assert.Equal((block.Size * block.Size, block.Size, block.Size), (count, columns, rows));
        }
    }

    /// <summary>How many pixels have the colour, and the width and height of the box around them.</summary>
    private static (int Count, int Columns, int Rows) Find(byte[] rgb, int width, int height, (byte R, byte G, byte B) colour, int tolerance)
    {
        int count = 0, left = int.MaxValue, right = -1, top = int.MaxValue, bottom = -1;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width + x) * 3;
                if (Math.Abs(rgb[i] - colour.R) > tolerance || Math.Abs(rgb[i + 1] - colour.G) > tolerance || Math.Abs(rgb[i + 2] - colour.B) > tolerance)
                    continue;
                count++;
                (left, right, top, bottom) = (Math.Min(left, x), Math.Max(right, x), Math.Min(top, y), Math.Max(bottom, y));
            }
        }
        return (count, right - left + 1, bottom - top + 1);
    }
}
