using Engine.Gpu;

namespace Engine.Ops.Detection;

/// <summary>
/// Integer labels of flat positions (shaders/detection/row_labels.comp): output[i] = (i / divisor) %
/// modulo. With divisor 1 and modulo K it is the class of every entry of an (R, K) score matrix: the
/// groups of class-aware NMS and, gathered by the kept indices, the detections' labels.
/// </summary>
public sealed class RowLabels : IOp
{
    private const int LocalSize = 64;

    private readonly Pipeline _pipeline;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    public RowLabels(Device device, Tensor output, int divisor, int modulo, string name = "row_labels")
    {
        Name = name;
        var n = DetectionTensors.RequireVector(name, "output", output, DataType.Int32);
        if (divisor <= 0 || modulo <= 0)
            throw new EngineException($"{name}: divisor {divisor} and modulo {modulo} must be positive.");
        _output = output;
        _push = new Push((uint)n, (uint)divisor, (uint)modulo);
        _groups = StridedCopy.FlatGrid(device, Groups.Cover(n, LocalSize));
        _pipeline = device.Pipeline("detection/row_labels");
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _output);

    private readonly record struct Push(uint N, uint Divisor, uint Modulo);
}
