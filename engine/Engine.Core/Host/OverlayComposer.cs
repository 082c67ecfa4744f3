using System.Diagnostics;
using System.Globalization;
using Engine.Contracts;

namespace Engine.Host;

/// <summary>
/// Lays out the overlay of a frame: heat maps and masks first, then boxes, the HUD (fps, latency,
/// dropped frames) at the top left, and per plugin a panel at the bottom left with its top-k labels
/// as bars scaled by score, the result's age, or its error when it was disabled; a failed shader
/// reload adds its `file:line: message` to the panel.
/// </summary>
public static class OverlayComposer
{
    /// <summary>The colour of the filled part of a label bar (opaque, so screenshots can find it).</summary>
    public const uint BarColour = 0xFF2ECC40;

    public const uint BarBackground = 0xB0202020;
    public const uint TextColour = 0xFFFFFFFF;
    public const uint ErrorColour = 0xFFFF4136;
    public const uint BoxColour = 0xFFFFDC00;

    /// <summary>A mask's opacity at value 1 when its colour states none.</summary>
    public const uint DefaultMaskOpacity = 0x99;

    public static int Scale(int height) => height >= 400 ? 2 : 1;

    /// <summary>Width of a full label bar (score 1) for a frame this wide.</summary>
    public static int BarWidth(int width) => Math.Max(40, width * 2 / 5);

    public static void Compose(OverlayCanvas canvas, IReadOnlyList<PluginRunner> plugins, string hud)
    {
        var scale = Scale(canvas.Height);
        var lineHeight = (BitmapFont.CellHeight + 3) * scale;
        var now = Stopwatch.GetTimestamp();

        foreach (var plugin in plugins.Where(p => p.Enabled))
        {
            foreach (var network in plugin.Networks)
            {
                if (network.Latest is not { } latest)
                    continue;
                var m = latest.Metadata;
                foreach (var mask in m.Masks)
                {
                    var (x0, y0, x1, y1) = Pixels(canvas, mask.Region);
                    var opacity = mask.Rgb >> 24 is var a && a != 0 ? a : DefaultMaskOpacity;
                    canvas.Mask(x0, y0, x1, y1, mask, (opacity << 24) | (mask.Rgb & 0xFFFFFF));
                }
                if (m.HeatMap is { } heat)
                {
                    var (x0, y0, x1, y1) = Pixels(canvas, heat.Region);
                    canvas.HeatMap(x0, y0, x1, y1, heat, 0.45);
                }
                foreach (var line in m.Lines ?? [])
                {
                    var (x0, y0, x1, y1) = Pixels(canvas, new RegionF(line.X0, line.Y0, line.X1, line.Y1));
                    var opacity = line.Rgb >> 24 is var a && a != 0 ? a : 0xFF;
                    canvas.Line(x0, y0, x1, y1, (opacity << 24) | (line.Rgb & 0xFFFFFF), line.Width * scale);
                }
                foreach (var box in m.Boxes)
                {
                    var (x0, y0, x1, y1) = Pixels(canvas, box.Region);
                    canvas.Outline(x0, y0, x1, y1, BoxColour, scale);
                    var label = $"{box.Label} {box.Score:0.00}";
                    canvas.Fill(x0, y0 - lineHeight, x0 + BitmapFont.Width(label, scale) + 2 * scale, y0, BarBackground);
                    canvas.Text(x0 + scale, y0 - lineHeight + scale, label, scale, BoxColour);
                }
            }
        }

        // HUD, top left.
        var hudLines = hud.Split('\n');
        var hudWidth = hudLines.Max(l => BitmapFont.Width(l, scale)) + 4 * scale;
        canvas.Fill(0, 0, hudWidth, hudLines.Length * lineHeight + 2 * scale, BarBackground);
        for (var i = 0; i < hudLines.Length; i++)
            canvas.Text(2 * scale, 2 * scale + i * lineHeight, hudLines[i], scale, TextColour);

        // Plugin panels, stacked upwards from the bottom left.
        var y = canvas.Height - 2 * scale;
        var barWidth = BarWidth(canvas.Width);
        foreach (var plugin in plugins.Reverse())
        {
            if (!plugin.Enabled)
            {
                y -= lineHeight;
                var text = Fit($"{plugin.Id} disabled: {plugin.Error}", canvas.Width, scale);
                canvas.Fill(0, y - scale, BitmapFont.Width(text, scale) + 4 * scale, y + lineHeight - scale, BarBackground);
                canvas.Text(2 * scale, y + scale, text, scale, ErrorColour);
                continue;
            }
            if (plugin.Shaders.Error is { } shaderError)
            {
                // A shader reload failed: the old pipeline still runs, and the author needs the location.
                y -= lineHeight;
                var text = Fit($"{plugin.Id} shader: {shaderError}", canvas.Width, scale);
                canvas.Fill(0, y - scale, BitmapFont.Width(text, scale) + 4 * scale, y + lineHeight - scale, BarBackground);
                canvas.Text(2 * scale, y + scale, text, scale, ErrorColour);
            }
            foreach (var network in plugin.Networks.Reverse())
            {
                var latest = network.Latest;
                var topk = latest?.Metadata.TopK ?? [];
                for (var i = topk.Count - 1; i >= 0; i--)
                {
                    y -= lineHeight;
                    canvas.Fill(2 * scale, y, 2 * scale + barWidth, y + lineHeight - scale, BarBackground);
                    var filled = (int)Math.Round(barWidth * Math.Clamp(topk[i].Score, 0, 1));
                    canvas.Fill(2 * scale, y, 2 * scale + filled, y + lineHeight - scale, BarColour);
                    canvas.Text(4 * scale, y + scale, Fit($"{topk[i].Score:0.00} {topk[i].Label}", canvas.Width, scale), scale, TextColour);
                }
                y -= lineHeight;
                var title = latest is { } l
                    ? $"{plugin.Id}/{network.Spec.Id} (age {Stopwatch.GetElapsedTime(l.CaptureTicks, now).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)"
                    : $"{plugin.Id}/{network.Spec.Id}: collecting {network.Clips.Samples}/{network.Clips.Length} frames";
                canvas.Fill(0, y - scale, BitmapFont.Width(title, scale) + 4 * scale, y + lineHeight - scale, BarBackground);
                canvas.Text(2 * scale, y + scale, title, scale, TextColour);
            }
        }
    }

    private static (int, int, int, int) Pixels(OverlayCanvas canvas, RegionF r) =>
        ((int)Math.Round(r.X0 * canvas.Width), (int)Math.Round(r.Y0 * canvas.Height), (int)Math.Round(r.X1 * canvas.Width), (int)Math.Round(r.Y1 * canvas.Height));

    private static string Fit(string text, int width, int scale)
    {
        var max = Math.Max(4, width / (BitmapFont.CellWidth * scale) - 1);
        return text.Length <= max ? text : text[..(max - 3)] + "...";
    }
}
