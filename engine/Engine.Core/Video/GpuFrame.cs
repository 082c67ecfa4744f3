using Engine.Gpu;

namespace Engine.Video;

/// <summary>
/// A captured frame on the GPU: the RGB24 bytes as 32-bit words (plus one word of slack, since the
/// kernels read a pixel's 3 bytes as two aligned words). The host writes it once per frame, the
/// frame path's only whole-frame crossing (width x height x 3 bytes): straight into mapped memory
/// on unified-memory devices; otherwise into a staging buffer of its own whose copy is recorded at
/// the head of the frame's command list, so neither way waits for the GPU unless it still reads
/// this frame's previous contents (the live loop rotates several frames so it does not).
/// </summary>
public sealed class GpuFrame : IDisposable
{
    private readonly GpuBuffer? _staging;

    public GpuFrame(Device device, int width, int height)
    {
        Width = width;
        Height = height;
        var words = (width * height * 3 + 3) / 4 + 1;
        Pixels = device.CreateTensor($"frame {width}x{height}", new Shape(words), DataType.UInt32);
        if (!Pixels.Buffer.IsMapped)
            _staging = device.CreateBuffer($"frame {width}x{height} (upload)", (ulong)words * 4, hostVisible: true);
    }

    public int Width { get; }

    public int Height { get; }

    public Tensor Pixels { get; }

    /// <summary>Writes <paramref name="frame"/>; when it goes through staging, the copy is recorded into <paramref name="list"/> before anything reads the pixels.</summary>
    public void Write(Frame frame, CommandList list)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new EngineException($"Frame {frame.Width}x{frame.Height} does not fit the GPU frame {Width}x{Height}.");
        var device = Pixels.Buffer.Device;
        if (_staging is null)
        {
            device.WriteMapped(Pixels.Buffer, Pixels.ByteOffset, frame.Pixels);
            return;
        }
        device.WriteMapped(_staging, 0, frame.Pixels);
        list.CopyBuffer(_staging, 0, Pixels.Buffer, Pixels.ByteOffset, (ulong)frame.Pixels.Length);
    }

    public void Dispose()
    {
        _staging?.Dispose();
        Pixels.Dispose();
    }
}
