using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// torchvision's paste_masks_in_image for the predicted class (shaders/detection/paste_masks.comp):
/// box r's M x M logits of channel labels[r] go through a sigmoid, are padded to (M + 2)^2, the box is
/// expanded by (M + 2) / M and cast to integers, and the mask is resized bilinearly into the image.
/// Output (R, H, W) float32 probabilities, zero outside the box and for rows at or past
/// <c>count</c>: one transfer fill clears the output, then the kernel writes only each box's integer
/// rectangle, in chunks of rows when the output is larger than one storage-buffer binding. With
/// <c>detectron2</c> the paste is detectron2's (layers/mask_ops.py:paste_masks_in_image, CPU path):
/// grid_sample of the unpadded sigmoid mask over the box, no expansion (the shader's header has the
/// rule); its binary mask is the output >= 0.5.
/// </summary>
public sealed class PasteMasks : IOp
{
    private const int LocalSize = 64;
    private const int TileX = 8;

    /// <summary>
    /// Tiles one invocation pastes at most for a box covering the whole image: sets the workgroups
    /// per box, enough to spread a large box over every core while a small box's spare workgroups
    /// return at once.
    /// </summary>
    private const int TilesPerInvocation = 64;

    private readonly List<(Push Push, Groups Groups, Tensor View)> _dispatches = [];
    private readonly Pipeline _pipeline;
    private readonly Tensor _logits;
    private readonly Tensor _labels;
    private readonly Tensor _boxes;
    private readonly Tensor _count;
    private readonly Tensor _output;

    /// <remarks>
    /// <c>maskLogits</c>: (R, 1, M, M, Cp) channels-last mask-predictor logits, one channel per class.<br/>
    /// <c>labels</c>: (R) int32 channel (class) of each box.<br/>
    /// <c>boxes</c>: (R, 4) float32 boxes in output pixels.<br/>
    /// <c>output</c>: (R, H, W) float32.<br/>
    /// <c>count</c>: Optional (1) uint32 valid rows.<br/>
    /// </remarks>
    public PasteMasks(Device device, Tensor maskLogits, Tensor labels, Tensor boxes, Tensor output, Tensor? count = null, string name = "paste_masks",
        bool detectron2 = false)
        : this(device, maskLogits, labels, boxes, output, count, name, device.Limits.maxStorageBufferRange, detectron2)
    {
    }

    /// <summary>As the public constructor with the chunk size forced (tests of the chunked path).</summary>
    internal PasteMasks(Device device, Tensor maskLogits, Tensor labels, Tensor boxes, Tensor output, Tensor? count, string name, ulong maxChunkBytes,
        bool detectron2 = false)
    {
        Name = name;
        ChannelsLast.Require(name, "mask logits", maskLogits);
        var (r, m, cp) = (maskLogits.Shape[0], maskLogits.Shape[2], maskLogits.Shape[4]);
        if (maskLogits.Shape[1] != 1 || maskLogits.Shape[3] != m || m == 0)
            throw new EngineException($"{name}: mask logits {maskLogits.Shape} must be (R, 1, M, M, Cp).");
        if (DetectionTensors.RequireBoxes(name, "boxes", boxes) != r || DetectionTensors.RequireVector(name, "labels", labels, DataType.Int32) != r)
            throw new EngineException($"{name}: boxes {boxes.Shape} and labels {labels.Shape} must have one row per mask of {maskLogits.Shape}.");
        DetectionTensors.RequireCount(name, "count", count);
        if (output.Shape.Rank != 3 || output.Shape[0] != r || output.Type != DataType.Float32 || !output.IsContiguous)
            throw new EngineException($"{name}: output {output.Shape} must be contiguous float32 ({r}, H, W).");
        (_logits, _labels, _boxes, _output) = (maskLogits, labels, boxes, output);
        _count = count ?? labels;
        var (h, w) = (output.Shape[1], output.Shape[2]);
        var limits = device.Limits;
        var plane = (long)h * w;
        var flat = output.Reshape(new Shape(r, checked((int)plane)));
        var expand = (float)(m + 2) / m;
        var groupsPerBox = Math.Clamp(Groups.Cover(h * ((w + TileX - 1L) / TileX), (long)LocalSize * TilesPerInvocation), 1u, 1024u);
        foreach (var (start, rows) in RowChunks.Split(r, maxChunkBytes, limits.minStorageBufferOffsetAlignment, plane * sizeof(float)))
        {
            var push = new Push((uint)start, (uint)rows, (uint)h, (uint)w, (uint)m, (uint)(cp / 4), expand, groupsPerBox);
            _dispatches.Add((push, StridedCopy.FlatGrid(device, (uint)(rows * groupsPerBox)), RowChunks.View(flat, start, rows, (int)plane)));
        }
        _pipeline = device.Pipeline("detection/paste_masks", SpecConstant.Bool(0, count is not null), SpecConstant.UInt(1, TileX),
            SpecConstant.Bool(2, detectron2));
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>Dispatches per run (more than one when the output is chunked).</summary>
    public int DispatchCount => _dispatches.Count;

    public void Record(CommandList list)
    {
        list.Fill(_output);
        foreach (var (push, groups, view) in _dispatches)
            list.Dispatch(_pipeline, groups, push, _logits, _labels, _boxes, _count, view);
    }

    private readonly record struct Push(uint First, uint Rows, uint H, uint W, uint M, uint C4, float Expand, uint GroupsPerBox);
}
