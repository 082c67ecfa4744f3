using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Ops;

namespace Engine.Host;

/// <summary>
/// A plugin node's network, compiled once: optionally a model graph (from a weight package) whose
/// input is the node's clip tensor, then the plugin's own ops recorded in one command list; both are
/// submitted per clip without waiting, and the marked outputs are read back when the run is done.
/// The recorded command buffer names its pipelines, so after a shader reload <see cref="Refresh"/>
/// records the ops again, between runs.
/// </summary>
public sealed class CompiledNetwork : IDisposable
{
    private readonly Device _device;
    private readonly string _name;
    private readonly CompiledGraph? _model;
    private readonly IReadOnlyList<IOp> _ops;
    private readonly IReadOnlyList<Tensor> _owned;
    private CommandList? _list;
    private Submission? _running;

    internal CompiledNetwork(Device device, string name, Tensor input, CompiledGraph? model, IReadOnlyList<IOp> ops,
        IReadOnlyDictionary<string, Tensor> outputs, IReadOnlyList<Tensor> owned)
    {
        _device = device;
        _name = name;
        Input = input;
        _model = model;
        _ops = ops;
        Outputs = outputs;
        _owned = owned;
        _list = ops.Count > 0 ? Record() : null;
    }

    public Tensor Input { get; }

    public IReadOnlyDictionary<string, Tensor> Outputs { get; }

    public int DispatchCount => (_model?.DispatchCount ?? 0) + (_list?.DispatchCount ?? 0);

    public bool IsRunning => _running is { IsComplete: false };

    /// <summary>Times the ops were recorded again after a shader reload.</summary>
    public int Rerecords { get; private set; }

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

    /// <summary>
    /// Records the ops again if one of its shaders was reloaded and no run is in flight (the old
    /// command buffer is destroyed once the GPU is past its last use); true when it did.
    /// </summary>
    public bool Refresh()
    {
        if (IsRunning || !_ops.OfType<PluginKernel>().Any(k => k.IsStale))
            return false;
        var list = Record();
        _list?.Dispose();
        _list = list;
        Rerecords++;
        return true;
    }

    private CommandList Record()
    {
        var list = _device.CreateCommandList(_name);
        try
        {
            if (_model is not null)
                list.WaitForEarlierSubmissions();
            foreach (var op in _ops)
            {
                list.Region = op.Name;
                op.Record(list);
            }
            list.Finish();
            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
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
