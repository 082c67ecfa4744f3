using System.Runtime.InteropServices;
using Engine.Contracts;
using Engine.Gpu;

namespace Engine.Video;

/// <summary>
/// A GPU ring of preprocessed frames for one network input. Every r-th captured frame (by source
/// frame number, so dropped frames keep time) is resized, cropped and normalised into the next ring
/// slot in one dispatch, channels-last (crops, S, S, 4); a whole-frame input keeps the frame's aspect
/// and is one (1, H, W, 4) "crop" covering all of it. A clip is ready once the ring is full and
/// <see cref="Hop"/> new samples have arrived since the last one was taken; taking it copies each
/// frame once into the network's input (N, T, S, S, 4) (or (1, 1, H, W, 4)), N = clips x crops, clip-major.
/// </summary>
public sealed class ClipBuffer : IDisposable
{
    private const int LocalSize = 8;

    private readonly Device _device;
    private readonly Pipeline _pipeline;
    private readonly long _slotFloats;
    private readonly long[] _sampleFrames;
    private readonly long[] _sampleTicks;
    private readonly PreprocessPush _push;
    private long _samples;
    private long _samplesAtTake;
    private long _lastSampledFrame = long.MinValue;
    private ClipBridge? _bridge;

    public ClipBuffer(Device device, ClipGeometry geometry, int frameWidth, int frameHeight, int hop = 1)
        : this(device, new NetworkInput(geometry), frameWidth, frameHeight, hop)
    {
    }

    public ClipBuffer(Device device, NetworkInput input, int frameWidth, int frameHeight, int hop = 1)
    {
        var geometry = input.Clip;
        var whole = input.Frame;
        if (whole is not null && (whole.MaxLongSide < 1 || whole.MaxShortSide < 1))
            throw new EngineException($"Frame geometry {whole}: the size caps must be positive.");
        if (geometry.Frames < 1 || geometry.SamplingRate < 1 || (whole is null && (geometry.Crop < 1 || geometry.ShortSide < 1)) || geometry.Clips < 1 || geometry.ClipStride < 0)
            throw new EngineException($"Clip geometry {geometry}: frames, sampling rate, sizes and clips must be positive.");
        if (geometry.Crops is not (1 or 3))
            throw new EngineException($"Clip geometry: {geometry.Crops} crops; 1 (centre) or 3 (along the long side) are supported.");
        if (geometry.Clips > 1 && geometry.ClipStride < 1)
            throw new EngineException($"Clip geometry: {geometry.Clips} clips need a clip stride of at least 1 sample.");
        if (hop < 1)
            throw new EngineException($"Clip buffer hop {hop}: must be at least 1.");
        _device = device;
        Geometry = geometry;
        Hop = hop;
        Length = geometry.RingLength;
        int rw, rh;
        if (whole is null)
        {
            // Resize as torchvision does: the short side becomes ShortSide, the long side is truncated.
            (rw, rh) = frameWidth <= frameHeight
                ? (geometry.ShortSide, (int)((long)geometry.ShortSide * frameHeight / frameWidth))
                : ((int)((long)geometry.ShortSide * frameWidth / frameHeight), geometry.ShortSide);
            (Width, Height) = (geometry.Crop, geometry.Crop);
        }
        else
        {
            // Shrink only, aspect kept, sizes truncated (torchvision's interpolate by a scale factor).
            var scale = Math.Min(1.0, Math.Min((double)whole.MaxLongSide / Math.Max(frameWidth, frameHeight), (double)whole.MaxShortSide / Math.Min(frameWidth, frameHeight)));
            (rw, rh) = (Math.Max(1, (int)Math.Floor(frameWidth * scale)), Math.Max(1, (int)Math.Floor(frameHeight * scale)));
            (Width, Height) = (rw, rh);
        }
        var (sw, sh) = (Width, Height);
        // Slots start at offsets every binding may use.
        var align = (long)Math.Max(device.Limits.minStorageBufferOffsetAlignment, 16) / 4;
        _slotFloats = (geometry.Crops * (long)sw * sh * 4 + align - 1) / align * align;
        Ring = device.CreateTensor($"clip ring {Length}x{geometry.Crops}x{sh}x{sw}", new Shape(checked((int)(Length * _slotFloats))));
        _sampleFrames = new long[Length];
        _sampleTicks = new long[Length];
        _pipeline = device.Pipeline("video/preprocess");

        if (rw < sw || rh < sh)
            throw new EngineException($"Clip geometry: a {sw}x{sh} crop does not fit a frame resized to {rw}x{rh}.");
        // Crops start at rounded (half to even, as Python's round) offsets.
        var centre = (Math.Round((rw - sw) / 2.0, MidpointRounding.ToEven), Math.Round((rh - sh) / 2.0, MidpointRounding.ToEven));
        (double, double)[] origins = geometry.Crops == 1 ? [centre]
            : rw >= rh ? [(0.0, centre.Item2), centre, (rw - sw, centre.Item2)]
            : [(centre.Item1, 0.0), centre, (centre.Item1, rh - sh)];
        CropRegions = [.. origins.Select(o => new RegionF(o.Item1 / rw, o.Item2 / rh, (o.Item1 + sw) / rw, (o.Item2 + sh) / rh))];
        var n = geometry.Normalization;
        if (n.Mean.Count != 3 || n.Std.Count != 3 || n.Std.Any(v => v == 0))
            throw new EngineException($"Normalisation needs 3 means and 3 non-zero standard deviations, got mean [{string.Join(", ", n.Mean)}], std [{string.Join(", ", n.Std)}].");
        var o2 = origins.Length == 3 ? origins[2] : centre;
        var o1 = origins.Length == 3 ? origins[1] : centre;
        _push = new PreprocessPush
        {
            FrameWidth = (uint)frameWidth,
            FrameHeight = (uint)frameHeight,
            SizeX = (uint)sw,
            SizeY = (uint)sh,
            Bgr = n.Bgr ? 1u : 0u,
            O0X = (float)origins[0].Item1,
            O0Y = (float)origins[0].Item2,
            O1X = (float)o1.Item1,
            O1Y = (float)o1.Item2,
            O2X = (float)o2.Item1,
            O2Y = (float)o2.Item2,
            ScaleX = (float)frameWidth / rw,
            ScaleY = (float)frameHeight / rh,
            MulR = (float)(n.Scale / 255 / n.Std[0]),
            MulG = (float)(n.Scale / 255 / n.Std[1]),
            MulB = (float)(n.Scale / 255 / n.Std[2]),
            AddR = (float)(-n.Mean[0] / n.Std[0]),
            AddG = (float)(-n.Mean[1] / n.Std[1]),
            AddB = (float)(-n.Mean[2] / n.Std[2]),
        };
    }

    public ClipGeometry Geometry { get; }

    /// <summary>Width and height of each preprocessed frame (the crop size, or the resized whole frame).</summary>
    public int Width { get; }

    public int Height { get; }

    public int Hop { get; }

    /// <summary>Sampled frames the ring holds.</summary>
    public int Length { get; }

    public Tensor Ring { get; }

    /// <summary>Where each crop lies in the frame.</summary>
    public IReadOnlyList<RegionF> CropRegions { get; }

    /// <summary>The network input this buffer fills: (N, T, S, S, 4), or (1, 1, H, W, 4) for a whole frame.</summary>
    public Shape ClipShape => new(Geometry.Batch, Geometry.Frames, Height, Width, 4);

    public long Samples => _samples;

    /// <summary>True once the ring is full and <see cref="Hop"/> samples arrived since the last clip was taken.</summary>
    public bool IsReady => _samples >= Length && _samples - _samplesAtTake >= Hop;

    /// <summary>
    /// True when a clip was ready a sample ago already: a sample arrived after the one that made the
    /// clip ready, so waiting longer to take it only makes its wait longer.
    /// </summary>
    public bool IsOverdue => _samples - Math.Max(Length, _samplesAtTake + Hop) >= 1;

    /// <summary>Number and capture time of the newest sampled frame.</summary>
    public (long Frame, long Ticks) Newest => _samples == 0 ? (-1, 0) : (_sampleFrames[(_samples - 1) % Length], _sampleTicks[(_samples - 1) % Length]);

    /// <summary>Whether frame <paramref name="frame"/> is due for sampling (every r-th source frame).</summary>
    public bool WantsFrame(Frame frame) => _lastSampledFrame == long.MinValue || frame.Number - _lastSampledFrame >= Geometry.SamplingRate;

    /// <summary>Records the preprocessing of <paramref name="frame"/> (already written to <paramref name="gpu"/>) into the next slot.</summary>
    public void RecordSample(CommandList list, GpuFrame gpu, Frame frame)
    {
        var slot = (int)(_samples % Length);
        var view = Slot(slot);
        var groups = new Groups(Groups.Cover(Width, LocalSize), Groups.Cover(Height, LocalSize), (uint)Geometry.Crops);
        list.Dispatch(_pipeline, groups, _push, gpu.Pixels, view);
        _sampleFrames[slot] = frame.Number;
        _sampleTicks[slot] = frame.CaptureTicks;
        _lastSampledFrame = frame.Number;
        _samples++;
    }

    private Tensor Slot(int slot) =>
        new(Ring.Buffer, Ring.ByteOffset + (ulong)(slot * _slotFloats * 4), new Shape(Geometry.Crops * Width * Height * 4), DataType.Float32, $"clip ring slot {slot}");

    /// <summary>
    /// Copies the current clip into <paramref name="destination"/> ((N, T, S, S, 4) fp32, contiguous)
    /// and marks it taken. On this buffer's device the copy is recorded and submitted without waiting:
    /// the network run submitted after it on the same queue reads it (<see cref="CommandList.Finish"/>
    /// orders the two). A destination on another device receives it through the host, the one bridge
    /// between devices (<see cref="ClipBridge"/>), which waits for the copy.
    /// </summary>
    public void TakeClip(Tensor destination)
    {
        if (!IsReady)
            throw new EngineException($"Clip buffer: no clip is ready ({_samples} samples of {Length}).");
        if (destination.Shape != ClipShape || !destination.IsContiguous || destination.Type != DataType.Float32)
            throw new EngineException($"Clip buffer: the clip is {ClipShape} fp32, the destination is {destination}.");
        if (destination.Buffer.Device == _device)
        {
            using var list = _device.CreateCommandList("clip copy");
            RecordCopies(list, destination.Buffer, destination.ByteOffset);
            list.Finish();
            _device.Submit(list);
        }
        else
        {
            _bridge ??= new ClipBridge(_device, (long)destination.ByteExtent);
            _bridge.Move((list, staging) => RecordCopies(list, staging, 0), destination);
        }
        _samplesAtTake = _samples;
    }

    /// <summary>Records the copies of each clip frame from its ring slot to its place in the clip at <paramref name="offset"/> of <paramref name="destination"/>.</summary>
    private void RecordCopies(CommandList list, GpuBuffer destination, ulong offset)
    {
        var g = Geometry;
        var frameFloats = (long)Width * Height * 4;
        var bytes = (ulong)frameFloats * 4;
        for (var c = 0; c < g.Clips; c++)
        {
            var end = _samples - 1 - (g.Clips - 1 - c) * (long)g.ClipStride;
            for (var k = 0; k < g.Crops; k++)
            {
                for (var t = 0; t < g.Frames; t++)
                {
                    var slot = (end - g.Frames + 1 + t) % Length;
                    var source = slot * _slotFloats + k * frameFloats;
                    var target = ((c * g.Crops + k) * (long)g.Frames + t) * frameFloats;
                    list.CopyBuffer(Ring.Buffer, Ring.ByteOffset + (ulong)source * 4, destination, offset + (ulong)target * 4, bytes);
                }
            }
        }
    }

    public void Dispose()
    {
        _bridge?.Dispose();
        Ring.Dispose();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PreprocessPush
    {
        public uint FrameWidth, FrameHeight, SizeX, SizeY;
        public float O0X, O0Y, O1X, O1Y;
        public float O2X, O2Y, ScaleX, ScaleY;
        public float MulR, MulG, MulB, MulA;
        public float AddR, AddG, AddB, AddA;
        public uint Bgr;
    }
}
