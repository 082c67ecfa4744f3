using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// x * scale + bias with constant vectors repeating over the last axis (<see cref="Elementwise.Affine"/>):
/// boxes (R, 4) scaled from the network's resized image back to input pixels with
/// (rw, rh, rw, rh). The vectors' length must be a multiple of 4 dividing the tensor's size.
/// </summary>
public sealed class ChannelAffineNode(string name, string input, string output, float[] scale, float[] bias) : Node(name, [input], [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        var n = inputs[0].Shape.ElementCount;
        if (inputs[0].Type != DataType.Float32 || scale.Length != bias.Length || scale.Length % 4 != 0 || scale.Length == 0 || n % scale.Length != 0)
            throw ShapeError(inputs, $"expected float32 values repeating in groups of {scale.Length} (a multiple of 4) with as many biases");
        return [inputs[0]];
    }

    public override IEnumerable<WeightData> Weights()
    {
        yield return new WeightData("scale", new Shape(scale.Length), scale);
        yield return new WeightData("bias", new Shape(bias.Length), bias);
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        Elementwise.Affine(device, tensors.Inputs[0], tensors.Weight("scale"), tensors.Weight("bias"), tensors.Outputs[0], name: Name);
}
