using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// One GLSL file of a plugin, compiled to the pipeline its kernels record. A reload replaces
/// <see cref="Pipeline"/> from the watcher's thread; kernels compare it with the pipeline they last
/// recorded and their graph re-records at a frame boundary, so a command buffer in flight never
/// changes under the GPU.
/// </summary>
public sealed class PluginShader
{
    private volatile Pipeline _pipeline;
    private int _slots = int.MaxValue;

    internal PluginShader(string path, Pipeline pipeline)
    {
        Path = path;
        _pipeline = pipeline;
    }

    /// <summary>The shader file (full path).</summary>
    public string Path { get; }

    /// <summary>The newest pipeline that compiled with the interface the kernels were built against.</summary>
    public Pipeline Pipeline
    {
        get => _pipeline;
        internal set => _pipeline = value;
    }

    /// <summary>Tensors the kernels using this shader bind (the fewest, if several): a reloaded shader must fit in them.</summary>
    public int Slots => Volatile.Read(ref _slots);

    /// <summary>Registers a kernel binding <paramref name="tensors"/> tensors (bindings 0..tensors-1).</summary>
    internal void Bind(int tensors)
    {
        int seen;
        do
            seen = _slots;
        while (tensors < seen && Interlocked.CompareExchange(ref _slots, tensors, seen) != seen);
    }
}
