using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// A constant-pattern int32 vector of <paramref name="length"/> with output[i] = (i / divisor) % modulo
/// (<see cref="RowLabels"/>): the class of each entry of an (R, K) score matrix (divisor 1, modulo K),
/// for class-aware NMS and, gathered, the detections' labels. It reads no tensor.
/// </summary>
public sealed class RowLabelsNode(string name, string output, int length, int divisor, int modulo) : Node(name, [], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (length <= 0 || divisor <= 0 || modulo <= 0)
            throw ShapeError(inputs, $"expected a positive length, divisor and modulo (got {length}, {divisor}, {modulo})");
        return [new TensorSpec(new Shape(length), DataType.Int32)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) => new RowLabels(device, tensors.Outputs[0], divisor, modulo, Name);
}
