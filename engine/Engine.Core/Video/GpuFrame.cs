using Engine.Gpu;

namespace Engine.Video;

/// <summary>
/// A captured frame on the GPU: the RGB24 bytes as 32-bit words (plus one word of slack, since the
/// kernels read a pixel's 3 bytes as two aligned words). Written straight into mapped memory on
/// unified-memory devices; through a staging copy otherwise.
/// </summary>
public sealed unsafe class GpuFrame : IDisposable
{
    private readonly byte[]? _staging;

    public GpuFrame(Device device, int width, int height)
    {
        Width = width;
        Height = height;
        var words = (width * height * 3 + 3) / 4 + 1;
        Pixels = device.CreateTensor($"frame {width}x{height}", new Shape(words), DataType.UInt32);
        if (!Pixels.Buffer.IsMapped)
            _staging = new byte[words * 4];
    }

    public int Width { get; }

    public int Height { get; }

    public Tensor Pixels { get; }

    public void Write(Frame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new EngineException($"Frame {frame.Width}x{frame.Height} does not fit the GPU frame {Width}x{Height}.");
        if (_staging is null)
        {
            var buffer = Pixels.Buffer;
            buffer.Device.Wait(buffer.LastUse);
            frame.Pixels.CopyTo(new Span<byte>(buffer.Mapped + Pixels.ByteOffset, frame.Pixels.Length));
            return;
        }
        frame.Pixels.CopyTo(_staging, 0);
        Pixels.Upload<byte>(_staging);
    }

    public void Dispose() => Pixels.Dispose();
}
