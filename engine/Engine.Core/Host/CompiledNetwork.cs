using Engine.Contracts;
using Engine.Gpu;

namespace Engine.Host;

/// <summary>
/// A plugin node's network, compiled once: the input clip tensor, the tensors it owns, one command
/// list recorded at build time and submitted per clip, and the outputs read back after each run.
/// </summary>
public sealed class CompiledNetwork : IDisposable
{
    private readonly Device _device;
    private readonly CommandList _list;
    private readonly IReadOnlyList<Tensor> _owned;
    private Submission? _running;

    internal CompiledNetwork(Device device, Tensor input, CommandList list, IReadOnlyDictionary<string, Tensor> outputs, IReadOnlyList<Tensor> owned)
    {
        _device = device;
        Input = input;
        _list = list;
        Outputs = outputs;
        _owned = owned;
    }

    public Tensor Input { get; }

    public IReadOnlyDictionary<string, Tensor> Outputs { get; }

    public int DispatchCount => _list.DispatchCount;

    public bool IsRunning => _running is { IsComplete: false };

    /// <summary>Starts a run on the GPU without waiting for it.</summary>
    public void Submit()
    {
        if (IsRunning)
            throw new EngineException("A network run is still in flight; at most one run per node.");
        _running = _device.Submit(_list);
    }

    /// <summary>The outputs of the finished run (waits for it).</summary>
    public IReadOnlyDictionary<string, OutputTensor> Read()
    {
        _running?.Wait();
        return Outputs.ToDictionary(o => o.Key, o => new OutputTensor(o.Value.Shape.Dims.ToArray(), o.Value.Download<float>()));
    }

    public void Dispose()
    {
        _list.Dispose();
        foreach (var tensor in _owned.Reverse())
            tensor.Dispose();
    }
}
