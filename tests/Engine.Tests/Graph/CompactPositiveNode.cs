using Engine.Gpu;
using Engine.Graph;
using Engine.Ops;

namespace Engine.Tests.Graph;

/// <summary>
/// A test node with a data-dependent output size, the shape top-k and NMS will have: the positive
/// values of a vector, in order, in an output of fixed maximum length plus a one-element count
/// tensor, both written on the GPU. Its kernel is plugin GLSL compiled at run time.
/// </summary>
internal sealed class CompactPositiveNode(string name, string input, string output, string count) : Node(name, [input], [output, count])
{
    private const string Source = """
        #version 450
        // One invocation walks the vector (a test kernel, not a fast one).
        layout(local_size_x = 1) in;
        layout(binding = 0) readonly buffer In { float x[]; };
        layout(binding = 1) writeonly buffer Out { float y[]; };
        layout(binding = 2) writeonly buffer Count { uint count; };
        layout(push_constant) uniform Push { uint n; } p;
        void main() {
            uint k = 0u;
            for (uint i = 0u; i < p.n; i++) {
                if (x[i] > 0.0) { y[k] = x[i]; k++; }
            }
            count = k;
        }
        """;

    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs)
    {
        if (inputs[0].Shape.Rank != 1)
            throw ShapeError(inputs, "expected a vector");
        return [inputs[0] with { CountTensor = Outputs[1] }, new TensorSpec(new Shape(1), DataType.UInt32)];
    }

    public override IOp CreateOp(Device device, NodeTensors tensors) =>
        new Op(Name, device.Pipeline("compact_positive", ShaderCompiler.Compile(Source, "compact_positive.comp")), tensors);

    private sealed class Op(string name, Pipeline pipeline, NodeTensors tensors) : IOp
    {
        public string Name => name;

        public double Flops => 0;

        public void Record(CommandList list) =>
            list.Dispatch(pipeline, new Groups(1), (uint)tensors.Inputs[0].ElementCount, tensors.Inputs[0], tensors.Outputs[0], tensors.Outputs[1]);
    }
}
