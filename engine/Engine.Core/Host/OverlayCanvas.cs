using Engine.Contracts;

namespace Engine.Host;

/// <summary>
/// The overlay of one frame as drawing primitives for shaders/video/overlay.comp (its header states
/// the encoding): filled and outlined rectangles, text lines, heat maps, masks and line segments, drawn in the order
/// added. Colours are 0xAARRGGBB. Coordinates are pixels of the frame, clipped to it.
/// </summary>
public sealed class OverlayCanvas(int width, int height)
{
    private readonly List<uint> _prims = [];
    private readonly List<uint> _chars = [];
    private readonly List<float> _values = [];

    public int Width { get; } = width;

    public int Height { get; } = height;

    public int Count => _prims.Count / 8;

    internal List<uint> Prims => _prims;

    internal List<uint> Chars => _chars;

    internal List<float> Values => _values;

    public void Clear()
    {
        _prims.Clear();
        _chars.Clear();
        _values.Clear();
    }

    public void Fill(int x0, int y0, int x1, int y1, uint argb) => Add(1, x0, y0, x1, y1, argb, 0, 0, 0);

    public void Outline(int x0, int y0, int x1, int y1, uint argb, int thickness) => Add(2, x0, y0, x1, y1, argb, (uint)thickness, 0, 0);

    /// <summary>One line of text with its top-left corner at (x, y); characters outside ASCII 32..126 draw as blanks.</summary>
    public void Text(int x, int y, string text, int scale, uint argb)
    {
        if (text.Length == 0)
            return;
        var first = (uint)_chars.Count;
        foreach (var c in text)
            _chars.Add(c);
        Add(3, x, y, x + BitmapFont.Width(text, scale), y + BitmapFont.CellHeight * scale, argb, first, (uint)text.Length, (uint)scale);
    }

    /// <summary>A heat map stretched over the rectangle, normalised to its maximum, blended with <paramref name="alpha"/>.</summary>
    public void HeatMap(int x0, int y0, int x1, int y1, HeatMap map, double alpha)
    {
        var max = map.Values.Length == 0 ? 0 : map.Values.Max();
        var first = (uint)_values.Count;
        foreach (var v in map.Values)
            _values.Add(max > 0 ? v / max : 0);
        Add(4, x0, y0, x1, y1, (uint)(Math.Clamp(alpha, 0, 1) * 255) << 24, first, (uint)map.Width, (uint)map.Height);
    }

    /// <summary>A soft mask over the rectangle in colour <paramref name="argb"/>, its alpha scaled by each value.</summary>
    public void Mask(int x0, int y0, int x1, int y1, MaskF mask, uint argb)
    {
        var first = (uint)_values.Count;
        foreach (var v in mask.Values)
            _values.Add(v);
        Add(5, x0, y0, x1, y1, argb, first, (uint)mask.Width, (uint)mask.Height);
    }

    /// <summary>
    /// A segment from (x0, y0) to (x1, y1), <paramref name="thickness"/> pixels wide with round ends
    /// (coinciding ends draw a dot); ends may lie outside the frame, within 16-bit signed pixels.
    /// </summary>
    public void Line(int x0, int y0, int x1, int y1, uint argb, int thickness)
    {
        var reach = (thickness + 1) / 2 + 1;
        static uint Pack(int x, int y) => (uint)(ushort)(short)Math.Clamp(x, short.MinValue, short.MaxValue) | ((uint)(ushort)(short)Math.Clamp(y, short.MinValue, short.MaxValue) << 16);
        Add(6, Math.Min(x0, x1) - reach, Math.Min(y0, y1) - reach, Math.Max(x0, x1) + reach + 1, Math.Max(y0, y1) + reach + 1, argb, Pack(x0, y0), Pack(x1, y1), (uint)thickness);
    }

    private void Add(uint kind, int x0, int y0, int x1, int y1, uint argb, uint a, uint b, uint c)
    {
        x0 = Math.Clamp(x0, 0, Width);
        x1 = Math.Clamp(x1, 0, Width);
        y0 = Math.Clamp(y0, 0, Height);
        y1 = Math.Clamp(y1, 0, Height);
        if (x1 <= x0 || y1 <= y0)
            return;
        // The kernel wants R | G << 8 | B << 16 | A << 24.
        var rgba = ((argb >> 16) & 0xFF) | (((argb >> 8) & 0xFF) << 8) | ((argb & 0xFF) << 16) | (argb & 0xFF000000);
        _prims.AddRange([kind, (uint)x0 | ((uint)y0 << 16), (uint)x1 | ((uint)y1 << 16), rgba, a, b, c, 0]);
    }
}
