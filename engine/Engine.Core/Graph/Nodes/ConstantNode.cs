using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A tensor of fixed values (a plugin's constant): its values go into the graph's weight arena with
/// the other weights, and each run copies them into the output, so every node reads them as an
/// ordinary tensor.
/// </summary>
public sealed class ConstantNode(string name, string output, Shape shape, float[] values) : Node(name, [], [output])
{
    private const string Value = "value";

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs) =>
        shape.ElementCount == values.Length ? [new TensorSpec(shape)]
            : throw new EngineException($"{this}: {shape} needs {shape.ElementCount} values, {values.Length} given.");

    public override IEnumerable<WeightData> Weights() => [new WeightData(Value, shape, values)];

    public override IOp CreateOp(Device device, NodeTensors tensors) => new TensorCopy(tensors.Weight(Value), tensors.Outputs[0], Name);
}
