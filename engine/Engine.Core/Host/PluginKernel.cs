using Engine.Gpu;
using Engine.Ops;

namespace Engine.Host;

/// <summary>A plugin's own compute shader as an op: inputs in bindings 0..n-1, the output last, push constants as given.</summary>
public sealed class PluginKernel : IOp
{
    private readonly Pipeline _pipeline;
    private readonly Tensor[] _tensors;
    private readonly uint[] _push;
    private readonly Groups _groups;

    public PluginKernel(Device device, string shaderFile, IReadOnlyList<Tensor> inputs, Tensor output, uint[] push, Groups groups)
    {
        Name = Path.GetFileNameWithoutExtension(shaderFile);
        _pipeline = device.Pipeline($"plugin/{Name}", ShaderCompiler.CompileFile(shaderFile));
        _tensors = [.. inputs, output];
        if (_pipeline.Layout.Bindings.Count != _tensors.Length)
            throw new EngineException($"{shaderFile}: the shader has {_pipeline.Layout.Bindings.Count} bindings, but {inputs.Count} inputs and 1 output were given.");
        if (push.Length * 4 > Pipeline.PushConstantBytes)
            throw new EngineException($"{shaderFile}: {push.Length * 4} bytes of push constants, at most {Pipeline.PushConstantBytes}.");
        _push = push;
        _groups = groups;
    }

    public string Name { get; }

    public double Flops => 0;

    public void Record(CommandList list)
    {
        switch (_push.Length)
        {
            case 0:
                list.Dispatch(_pipeline, _groups, _tensors);
                break;
            default:
                var block = new PushBlock();
                _push.CopyTo(block);
                list.Dispatch(_pipeline, _groups, block, _tensors);
                break;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(Pipeline.PushConstantBytes / 4)]
    private struct PushBlock
    {
        private uint _element;
    }
}
