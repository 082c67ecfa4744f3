using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Decodes boxes from deltas as torchvision's BoxCoder (shaders/detection/decode.comp): centre
/// offsets dx * w, dy * h and sizes exp(dw) * w, exp(dh) * h after dividing by the weights, with dw
/// and dh clamped above at log(1000/16); optionally clipped to the (unpadded) image. With deltas
/// (R, 4K) the deltas are class-specific and the output is (rows, K, 4); with (R, 4) it is (rows, 4).
/// Output row j decodes reference row indices[j] when <c>indices</c> is given (decode only the top-k
/// anchors), else row j; rows at or past <c>count</c> are written as zeros.
/// </summary>
public sealed class BoxDecode : IOp
{
    private const int LocalSize = 64;

    /// <summary>torchvision's bbox_xform_clip, log(1000 / 16), as the fp32 it is compared in.</summary>
    public static readonly float MaxLogScale = (float)Math.Log(1000.0 / 16);

    private readonly Pipeline _pipeline;
    private readonly Tensor _boxes;
    private readonly Tensor _deltas;
    private readonly Tensor _output;
    private readonly Tensor _indices;
    private readonly Tensor _count;
    private readonly Push _push;
    private readonly Groups _groups;

    /// <remarks>
    /// <c>boxes</c>: Reference boxes (R, 4): anchors or proposals.<br/>
    /// <c>deltas</c>: (R, 4) or class-specific (R, 4K) deltas.<br/>
    /// <c>output</c>: (rows, 4) or (rows, K, 4); rows = indices length when given, else R.<br/>
    /// <c>clipTo</c>: Clip x to [0, Width] and y to [0, Height] (the resized image before padding), or no clipping.<br/>
    /// <c>indices</c>: Optional (rows) int32 reference row per output row.<br/>
    /// <c>count</c>: Optional (1) uint32: how many output rows are valid.<br/>
    /// </remarks>
    public BoxDecode(Device device, Tensor boxes, Tensor deltas, Tensor output, BoxWeights weights, (int Height, int Width)? clipTo = null,
        Tensor? indices = null, Tensor? count = null, string name = "box_decode")
    {
        Name = name;
        var r = DetectionTensors.RequireBoxes(name, "boxes", boxes);
        if (deltas.Type != DataType.Float32 || !deltas.IsContiguous || deltas.Shape.Rank != 2 || deltas.Shape[0] != r || deltas.Shape[1] % 4 != 0 || deltas.Shape[1] == 0)
            throw new EngineException($"{name}: deltas {deltas.Shape} must be contiguous float32 (R, 4K) with R = {r} boxes {boxes.Shape}.");
        var k = deltas.Shape[1] / 4;
        var rows = indices is null ? r : DetectionTensors.RequireVector(name, "indices", indices, DataType.Int32);
        DetectionTensors.RequireCount(name, "count", count);
        var expected = k == 1 ? new Shape(rows, 4) : new Shape(rows, k, 4);
        DetectionTensors.RequireBoxes(name, "output", output);
        if (output.Shape != expected)
            throw new EngineException($"{name}: output {output.Shape} must be {expected} for deltas {deltas.Shape} and {rows} rows.");
        (_boxes, _deltas, _output) = (boxes, deltas, output);
        // Absent optional inputs are bound to the output: the shader never reads them.
        _indices = indices ?? output;
        _count = count ?? output;
        var clip = clipTo ?? (0, 0);
        _push = new Push((uint)rows, (uint)k, 0, 0, weights.X, weights.Y, weights.W, weights.H, clip.Width, clip.Height, MaxLogScale);
        _groups = StridedCopy.FlatGrid(device, Groups.Cover((long)rows * k, LocalSize));
        _pipeline = device.Pipeline("detection/decode",
            SpecConstant.Bool(0, indices is not null), SpecConstant.Bool(1, count is not null), SpecConstant.Bool(2, clipTo is not null));
        Flops = 20.0 * rows * k;
    }

    public string Name { get; }

    public double Flops { get; }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _boxes, _deltas, _indices, _count, _output);

    private readonly record struct Push(uint Rows, uint K, uint Pad0, uint Pad1, float Wx, float Wy, float Ww, float Wh, float ClipW, float ClipH, float MaxLog);
}
