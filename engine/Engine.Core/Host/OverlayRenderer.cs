using Engine.Gpu;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// The overlay compute pass: draws an <see cref="OverlayLayer"/> over the newest frame into
/// <see cref="Image"/> (one B8G8R8A8 word per pixel) on the display device, which presenters copy on
/// the GPU (the window) or download (the recorder, snapshots): one dispatch converts the frame, then
/// one per primitive over its box only (a few dozen small dispatches cost far less than testing every
/// primitive at every pixel).
/// </summary>
public sealed class OverlayRenderer : IDisposable
{
    /// <summary>The largest frame side: a primitive packs x and y into one uint, 16 bits each (shaders/video/overlay.comp).</summary>
    public const int MaxCoordinate = ushort.MaxValue;

    private readonly Pipeline _pipeline;
    private readonly Tensor _font;

    public OverlayRenderer(Device device, int width, int height)
    {
        if (width > MaxCoordinate || height > MaxCoordinate)
            throw new EngineException($"Overlay: a {width}x{height} frame exceeds the {MaxCoordinate}-pixel coordinate range.");
        Width = width;
        Height = height;
        _pipeline = device.Pipeline("video/overlay");
        _font = device.CreateTensor<uint>("overlay font", new Shape(BitmapFont.Build().Length), BitmapFont.Build(), DataType.UInt32);
        Image = device.CreateTensor($"overlay image {width}x{height}", new Shape(width * height), DataType.UInt32);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The presented image: width x height words, bytes B, G, R, A.</summary>
    public Tensor Image { get; }

    /// <summary>Records the pass: <paramref name="layer"/> over <paramref name="frame"/>.</summary>
    public void Record(CommandList list, GpuFrame frame, OverlayLayer layer)
    {
        if (frame.Width != Width || frame.Height != Height || layer.Width != Width || layer.Height != Height)
            throw new EngineException($"Overlay: frame {frame.Width}x{frame.Height} and layer {layer.Width}x{layer.Height} for a {Width}x{Height} renderer.");
        var (w, h) = ((uint)Width, (uint)Height);
        list.Dispatch(_pipeline, new Groups(Groups.Cover(w, 8), Groups.Cover(h, 8)), new Push(w, h, 1, 0, 0, 0, 0, w, h),
            frame.Pixels, layer.Prims, _font, layer.Chars, layer.Values, Image);
        var boxes = layer.Boxes;
        for (var i = 0; i < boxes.Length; i++)
        {
            var (x0, y0, x1, y1) = boxes[i];
            list.Dispatch(_pipeline, new Groups(Groups.Cover(x1 - x0, 8), Groups.Cover(y1 - y0, 8)), new Push(w, h, 0, (uint)i, 1, x0, y0, x1 - x0, y1 - y0),
                frame.Pixels, layer.Prims, _font, layer.Chars, layer.Values, Image);
        }
    }

    public void Dispose()
    {
        Image.Dispose();
        _font.Dispose();
    }

    private readonly record struct Push(uint Width, uint Height, uint Base, uint First, uint Count, uint X0, uint Y0, uint W, uint H);
}
