using System.Runtime.InteropServices;
using Engine.Gpu;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// The overlay compute pass: draws an <see cref="OverlayCanvas"/> over the newest frame into
/// <see cref="Image"/> (one B8G8R8A8 word per pixel), which the presenters read or copy: one dispatch
/// converts the frame, then one per primitive over its box only (a few dozen small dispatches cost
/// far less than testing every primitive at every pixel). The canvas buffers are host-written each
/// frame; capacities are fixed so the pass never allocates.
/// </summary>
public sealed class OverlayRenderer : IDisposable
{
    public const int MaxPrimitives = 1024;
    public const int MaxChars = 16384;
    public const int MaxValues = 1 << 20;

    /// <summary>The largest frame side: a primitive packs x and y into one uint, 16 bits each (shaders/video/overlay.comp).</summary>
    public const int MaxCoordinate = ushort.MaxValue;

    private readonly Pipeline _pipeline;
    private readonly Tensor _prims;
    private readonly Tensor _font;
    private readonly Tensor _chars;
    private readonly Tensor _values;
    private int _primCount;
    private (uint X0, uint Y0, uint X1, uint Y1)[] _boxes = [];

    public OverlayRenderer(Device device, int width, int height)
    {
        if (width > MaxCoordinate || height > MaxCoordinate)
            throw new EngineException($"Overlay: a {width}x{height} frame exceeds the {MaxCoordinate}-pixel coordinate range.");
        Width = width;
        Height = height;
        _pipeline = device.Pipeline("video/overlay");
        _prims = device.CreateTensor("overlay primitives", new Shape(MaxPrimitives * 8), DataType.UInt32);
        _chars = device.CreateTensor("overlay text", new Shape(MaxChars), DataType.UInt32);
        _values = device.CreateTensor("overlay values", new Shape(MaxValues), DataType.Float32);
        _font = device.CreateTensor<uint>("overlay font", new Shape(BitmapFont.Build().Length), BitmapFont.Build(), DataType.UInt32);
        Image = device.CreateTensor($"overlay image {width}x{height}", new Shape(width * height), DataType.UInt32);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The presented image: width x height words, bytes B, G, R, A.</summary>
    public Tensor Image { get; }

    /// <summary>Writes the canvas into the GPU buffers (waits for the previous frame's pass to finish with them).</summary>
    public void Upload(OverlayCanvas canvas)
    {
        if (canvas.Width != Width || canvas.Height != Height)
            throw new EngineException($"Overlay: canvas {canvas.Width}x{canvas.Height} for a {Width}x{Height} renderer.");
        var prims = CollectionsMarshal.AsSpan(canvas.Prims);
        var chars = CollectionsMarshal.AsSpan(canvas.Chars);
        var values = CollectionsMarshal.AsSpan(canvas.Values);
        // Whatever does not fit is cut at a whole primitive; the kernel reads only what `count` covers.
        var count = Math.Min(prims.Length / 8, MaxPrimitives);
        while (count > 0 && !Fits(prims.Slice((count - 1) * 8, 8), chars.Length, values.Length))
            count--;
        _primCount = count;
        _boxes = new (uint, uint, uint, uint)[count];
        for (var i = 0; i < count; i++)
            _boxes[i] = (prims[i * 8 + 1] & 0xFFFF, prims[i * 8 + 1] >> 16, prims[i * 8 + 2] & 0xFFFF, prims[i * 8 + 2] >> 16);
        Write(_prims, prims[..(count * 8)]);
        Write(_chars, chars[..Math.Min(chars.Length, MaxChars)]);
        Write(_values, values[..Math.Min(values.Length, MaxValues)]);
    }

    private static bool Fits(ReadOnlySpan<uint> prim, int chars, int values) => prim[0] switch
    {
        3 => prim[4] + prim[5] <= Math.Min(chars, MaxChars),
        4 or 5 => prim[4] + prim[5] * prim[6] <= Math.Min(values, MaxValues),
        _ => true,
    };

    private static void Write<T>(Tensor tensor, ReadOnlySpan<T> data) where T : unmanaged
    {
        if (data.Length == 0)
            return;
        new Tensor(tensor.Buffer, tensor.ByteOffset, new Shape(data.Length), tensor.Type, tensor.Name).Upload(data);
    }

    /// <summary>Records the pass over <paramref name="frame"/>.</summary>
    public void Record(CommandList list, GpuFrame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new EngineException($"Overlay: frame {frame.Width}x{frame.Height} for a {Width}x{Height} renderer.");
        var (w, h) = ((uint)Width, (uint)Height);
        list.Dispatch(_pipeline, new Groups(Groups.Cover(w, 8), Groups.Cover(h, 8)), new Push(w, h, 1, 0, 0, 0, 0, w, h),
            frame.Pixels, _prims, _font, _chars, _values, Image);
        for (var i = 0; i < _primCount; i++)
        {
            var (x0, y0, x1, y1) = _boxes[i];
            list.Dispatch(_pipeline, new Groups(Groups.Cover(x1 - x0, 8), Groups.Cover(y1 - y0, 8)), new Push(w, h, 0, (uint)i, 1, x0, y0, x1 - x0, y1 - y0),
                frame.Pixels, _prims, _font, _chars, _values, Image);
        }
    }

    public void Dispose()
    {
        Image.Dispose();
        _font.Dispose();
        _values.Dispose();
        _chars.Dispose();
        _prims.Dispose();
    }

    private readonly record struct Push(uint Width, uint Height, uint Base, uint First, uint Count, uint X0, uint Y0, uint W, uint H);
}
