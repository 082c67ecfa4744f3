using System.Runtime.InteropServices;
using Engine.Gpu;

namespace Engine.Host;

/// <summary>
/// One frame's overlay as the GPU reads it: the canvas's primitives, characters and heat-map and
/// mask values, in host-visible buffers of fixed capacity (drawing never allocates). The overlay
/// crosses to the GPU as this primitive list, not as a raster: a few kilobytes a frame (32 bytes a
/// primitive, 4 a character; heat maps and masks add their values) against 4 bytes a pixel for a
/// drawn layer, and <c>overlay.comp</c> draws it over the frame where the frame already is. The
/// buffers are host-visible because the GPU reads each word once: a copy into device memory would
/// cost a second pass and a wait. The live loop keeps one layer per frame in flight, so writing the
/// next frame's layer does not wait for the GPU to finish drawing the last.
/// </summary>
public sealed class OverlayLayer : IDisposable
{
    public const int MaxPrimitives = 1024;
    public const int MaxChars = 16384;
    public const int MaxValues = 1 << 20;

    private readonly (uint X0, uint Y0, uint X1, uint Y1)[] _boxes = new (uint, uint, uint, uint)[MaxPrimitives];
    private int _boxCount;

    public OverlayLayer(Device device, int width, int height, string name = "overlay")
    {
        Width = width;
        Height = height;
        Prims = HostVisible(device, $"{name} primitives", MaxPrimitives * 8, DataType.UInt32);
        Chars = HostVisible(device, $"{name} text", MaxChars, DataType.UInt32);
        Values = HostVisible(device, $"{name} values", MaxValues, DataType.Float32);
    }

    public int Width { get; }

    public int Height { get; }

    internal Tensor Prims { get; }

    internal Tensor Chars { get; }

    internal Tensor Values { get; }

    /// <summary>The boxes of the primitives written last, one dispatch each.</summary>
    internal ReadOnlySpan<(uint X0, uint Y0, uint X1, uint Y1)> Boxes => _boxes.AsSpan(0, _boxCount);

    private static Tensor HostVisible(Device device, string name, int count, DataType type) =>
        new(device.CreateBuffer(name, (ulong)(count * type.Size()), hostVisible: true), 0, new Shape(count), type, name, ownsBuffer: true);

    /// <summary>
    /// Writes the canvas (waiting only if the GPU still draws this layer's previous contents);
    /// returns the bytes written. Whatever does not fit is cut at a whole primitive.
    /// </summary>
    public long Write(OverlayCanvas canvas)
    {
        if (canvas.Width != Width || canvas.Height != Height)
            throw new EngineException($"Overlay: canvas {canvas.Width}x{canvas.Height} for a {Width}x{Height} layer.");
        var prims = CollectionsMarshal.AsSpan(canvas.Prims);
        var chars = CollectionsMarshal.AsSpan(canvas.Chars);
        var values = CollectionsMarshal.AsSpan(canvas.Values);
        // The kernel reads only what `count` covers.
        var count = Math.Min(prims.Length / 8, MaxPrimitives);
        while (count > 0 && !Fits(prims.Slice((count - 1) * 8, 8), chars.Length, values.Length))
            count--;
        _boxCount = count;
        for (var i = 0; i < count; i++)
            _boxes[i] = (prims[i * 8 + 1] & 0xFFFF, prims[i * 8 + 1] >> 16, prims[i * 8 + 2] & 0xFFFF, prims[i * 8 + 2] >> 16);
        return Write(Prims, prims[..(count * 8)]) + Write(Chars, chars[..Math.Min(chars.Length, MaxChars)]) + Write(Values, values[..Math.Min(values.Length, MaxValues)]);
    }

    private static bool Fits(ReadOnlySpan<uint> prim, int chars, int values) => prim[0] switch
    {
        3 => prim[4] + prim[5] <= Math.Min(chars, MaxChars),
        4 or 5 => prim[4] + prim[5] * prim[6] <= Math.Min(values, MaxValues),
        _ => true,
    };

    private static long Write<T>(Tensor tensor, ReadOnlySpan<T> data) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        if (bytes.Length > 0)
            tensor.Buffer.Device.WriteMapped(tensor.Buffer, tensor.ByteOffset, bytes);
        return bytes.Length;
    }

    public void Dispose()
    {
        Values.Dispose();
        Chars.Dispose();
        Prims.Dispose();
    }
}
