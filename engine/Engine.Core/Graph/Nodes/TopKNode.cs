using Engine.Gpu;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Graph.Nodes;

/// <summary>
/// The <paramref name="k"/> highest scores' flat indices, highest first, lower index first on ties
/// (<see cref="TopK"/>), over all scores or over <paramref name="candidates"/> up to
/// <paramref name="count"/>; outputs (k) int32 indices and their count min(k, candidates).
/// </summary>
public sealed class TopKNode(string name, string scores, string output, string outputCount, int k, string? candidates = null, string? count = null)
    : Node(name, DetectionInputs.List(scores, candidates, count), [output, outputCount])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var n = Candidates(inputs);
        if (inputs[0].Type != DataType.Float32 || k <= 0 || k > n)
            throw ShapeError(inputs, $"expected float32 scores and k = {k} between 1 and the {n} candidates");
        DetectionInputs.RequireCount(this, inputs, count);
        return [new TensorSpec(new Shape(k), DataType.Int32, CountTensor: Outputs[1]), new TensorSpec(new Shape(1), DataType.UInt32)];
    }

    public override long ScratchBytes(Device device, IReadOnlyList<TensorSpec> inputs) => TopK.ScratchBytes(Candidates(inputs));

    public override IOp CreateOp(Device device, NodeTensors tensors)
    {
        var s = tensors.Inputs[0];
        return new TopK(device, s.Reshape(new Shape((int)s.ElementCount)), tensors.Outputs[0], tensors.Outputs[1], tensors.Scratch!,
            DetectionInputs.Tensor(this, tensors, candidates), DetectionInputs.Tensor(this, tensors, count), Name);
    }

    private int Candidates(IReadOnlyList<TensorSpec> inputs) =>
        (int)(DetectionInputs.Spec(this, inputs, candidates) ?? inputs[0]).Shape.ElementCount;
}
