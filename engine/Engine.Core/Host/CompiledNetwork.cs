using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;

namespace Engine.Host;

/// <summary>
/// A plugin node's network, compiled once: optionally a model graph (from a weight package) whose
/// input is the node's clip tensor, then the plugin's own ops recorded in one command list; both are
/// submitted per clip without waiting, and the marked outputs are read back when the run is done.
/// </summary>
public sealed class CompiledNetwork : IDisposable
{
    private readonly Device _device;
    private readonly CompiledGraph? _model;
    private readonly CommandList? _list;
    private readonly IReadOnlyList<Tensor> _owned;
    private Submission? _running;

    internal CompiledNetwork(Device device, Tensor input, CompiledGraph? model, CommandList? list, IReadOnlyDictionary<string, Tensor> outputs, IReadOnlyList<Tensor> owned)
    {
        _device = device;
        Input = input;
        _model = model;
        _list = list;
        Outputs = outputs;
        _owned = owned;
    }

    public Tensor Input { get; }

    public IReadOnlyDictionary<string, Tensor> Outputs { get; }

    public int DispatchCount => (_model?.DispatchCount ?? 0) + (_list?.DispatchCount ?? 0);

    public bool IsRunning => _running is { IsComplete: false };

    /// <summary>Starts a run on the GPU without waiting for it.</summary>
    public void Submit()
    {
        if (IsRunning)
            throw new EngineException("A network run is still in flight; at most one run per node.");
        if (_model is not null)
            _running = _model.Submit();
        if (_list is not null)
            _running = _device.Submit(_list);
    }

    /// <summary>The outputs of the finished run (waits for it).</summary>
    public IReadOnlyDictionary<string, OutputTensor> Read()
    {
        _running?.Wait();
        return Outputs.ToDictionary(o => o.Key, o => new OutputTensor(o.Value.Shape.Dims.ToArray(), ReadAsFloats(o.Value)));
    }

    // Integer outputs (detection labels and counts) arrive as exact floats: the contract has one element type.
    private static float[] ReadAsFloats(Tensor tensor) => tensor.Type switch
    {
        DataType.Int32 => [.. tensor.Download<int>().Select(v => (float)v)],
        DataType.UInt32 => [.. tensor.Download<uint>().Select(v => (float)v)],
        _ => tensor.Download<float>(),
    };

    public void Dispose()
    {
        _list?.Dispose();
        _model?.Dispose();
        foreach (var tensor in _owned.Reverse())
            tensor.Dispose();
    }
}
