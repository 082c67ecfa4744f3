using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph.Nodes;

/// <summary>
/// A plugin's own compute shader (<see cref="PluginKernel"/>): reads <paramref name="inputs"/>
/// (bindings 0..n-1) and writes one float32 tensor of <paramref name="outputShape"/> (binding n), with
/// the plugin's push constants and workgroup count. Its shader may be reloaded while the graph runs;
/// the op then reports stale and <see cref="CompiledGraph.Refresh"/> records the new pipeline.
/// </summary>
public sealed class PluginKernelNode(string name, PluginShader shader, IReadOnlyList<string> inputs, string output, Shape outputShape, uint[] push, Groups groups)
    : Node(name, Checked(shader, inputs, push), [output])
{
    public override IReadOnlyList<TensorSpec> InferOutputs(IReadOnlyList<TensorSpec> inputs) => [new TensorSpec(outputShape)];

    public override IOp CreateOp(Device device, NodeTensors tensors) => new PluginKernel(shader, tensors.Inputs, tensors.Outputs[0], push, groups);

    // The shader's bindings and push constants are checked as the node is added, at build time.
    private static IReadOnlyList<string> Checked(PluginShader shader, IReadOnlyList<string> inputs, uint[] push)
    {
        PluginKernel.Check(shader, inputs.Count, push.Length);
        return inputs;
    }
}
