using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A plugin's own compute shader as an op: inputs in bindings 0..n-1, the output last, push constants
/// as given. It records the shader's current pipeline; after a hot reload it is <see cref="IsStale"/>
/// until its graph records it again.
/// </summary>
public sealed class PluginKernel : IOp
{
    private readonly PluginShader _shader;
    private readonly Tensor[] _tensors;
    private readonly uint[] _push;
    private readonly Groups _groups;
    private Pipeline? _recorded;

    public PluginKernel(PluginShader shader, IReadOnlyList<Tensor> inputs, Tensor output, uint[] push, Groups groups)
    {
        Name = Path.GetFileNameWithoutExtension(shader.Path);
        _shader = shader;
        _tensors = [.. inputs, output];
        Check(shader, inputs.Count, push.Length);
        shader.Bind(_tensors.Length);
        _push = push;
        _groups = groups;
    }

    /// <summary>
    /// Refuses a shader whose bindings or push constants do not fit <paramref name="inputs"/> inputs,
    /// one output and <paramref name="pushWords"/> push-constant words (at build time, before any tensor exists).
    /// </summary>
    public static void Check(PluginShader shader, int inputs, int pushWords)
    {
        // Bindings are matched by number: the compiler drops bindings a shader never uses, so a shader may
        // declare fewer than the kernel binds, never one beyond them.
        var bindings = shader.Pipeline.Layout.Bindings;
        if (bindings.Count == 0 || bindings.Max(b => b.Binding) > inputs || bindings.Max(b => b.Binding) < inputs)
            throw new EngineException($"{shader.Path}: the shader binds [{string.Join(", ", bindings.Select(b => b.Binding))}], but {inputs} inputs " +
                $"(bindings 0..{inputs - 1}) and 1 output (binding {inputs}) were given.");
        if (pushWords * 4 > Pipeline.PushConstantBytes)
            throw new EngineException($"{shader.Path}: {pushWords * 4} bytes of push constants, at most {Pipeline.PushConstantBytes}.");
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>True when the shader was reloaded since this kernel was last recorded.</summary>
    public bool IsStale => _recorded is not null && _recorded != _shader.Pipeline;

    public void Record(CommandList list)
    {
        var pipeline = _shader.Pipeline;
        var tensors = pipeline.Layout.Bindings.Select(b => _tensors[b.Binding]).ToArray();
        switch (_push.Length)
        {
            case 0:
                list.Dispatch(pipeline, _groups, tensors);
                break;
            default:
                var block = new PushBlock();
                _push.CopyTo(block);
                list.Dispatch(pipeline, _groups, block, tensors);
                break;
        }
        _recorded = pipeline;
    }

    [System.Runtime.CompilerServices.InlineArray(Pipeline.PushConstantBytes / 4)]
    private struct PushBlock
    {
        private uint _element;
    }
}
