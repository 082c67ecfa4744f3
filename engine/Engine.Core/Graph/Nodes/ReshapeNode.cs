using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// The same elements in another shape (a copy: the graph gives every tensor its own memory), e.g. a
/// class-score matrix (R, 1, 1, 1, K) as the flat (R * K) vector that top-k, NMS and gathers index.
/// The element type is kept; channels-last and count information is dropped.
/// </summary>
public sealed class ReshapeNode(string name, string input, string output, Shape shape) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (inputs[0].Shape.ElementCount != shape.ElementCount || inputs[0].Type.Size() != 4)
            throw ShapeError(inputs, $"expected {shape.ElementCount} elements of 4 bytes for {shape}");
        return [new TensorSpec(shape, inputs[0].Type)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new Slice(device, tensors.Inputs[0].Reshape(shape), tensors.Outputs[0], new int[shape.Rank], name: Name);
}
