using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Shape checks shared by the detection ops: count tensors, box lists and typed vectors.
/// </summary>
internal static class DetectionTensors
{
    /// <summary>A data-dependent size: a one-element UInt32 tensor.</summary>
    public static void RequireCount(string op, string role, Tensor? count)
    {
        if (count is not null && (count.ElementCount != 1 || count.Type != DataType.UInt32))
            throw new EngineException($"{op}: {role} {count} must be a one-element uint32 count tensor.");
    }

    /// <summary>Boxes: contiguous float32 with a last axis of 4 (x1, y1, x2, y2); returns how many.</summary>
    public static int RequireBoxes(string op, string role, Tensor boxes)
    {
        if (boxes.Shape.Rank < 1 || boxes.Shape[-1] != 4 || boxes.Type != DataType.Float32 || !boxes.IsContiguous)
            throw new EngineException($"{op}: {role} {boxes} must be contiguous float32 boxes (..., 4).");
        return checked((int)(boxes.ElementCount / 4));
    }

    /// <summary>A contiguous tensor of <paramref name="type"/>; returns its element count.</summary>
    public static int RequireVector(string op, string role, Tensor tensor, DataType type)
    {
        if (tensor.Type != type || !tensor.IsContiguous || tensor.Shape.Rank < 1)
            throw new EngineException($"{op}: {role} {tensor} must be a contiguous {type.NumpyName()} tensor.");
        return checked((int)tensor.ElementCount);
    }
}
