using Engine.Files;
using Engine.Gpu;
using Engine.Ops;

namespace Engine.Graph;

/// <summary>
/// A network ready to run: arenas and weights allocated, ops created, one command list recorded.
/// Per-frame work is only <see cref="SetInput"/>, <see cref="Submit"/> (or <see cref="Run"/>) and
/// <see cref="Read"/>; nothing is allocated, created or recorded again, except that
/// <see cref="Refresh"/> records the list again when an op's pipeline was replaced (a plugin
/// shader's hot reload).
/// </summary>
public sealed class CompiledGraph : IDisposable
{
    private readonly Device _device;
    private readonly bool _profile;
    private readonly List<GpuBuffer> _buffers;
    private readonly IReadOnlyList<(Node Node, IOp Op)> _ops;
    private readonly Dictionary<string, (Tensor Tensor, TensorSpec Spec)> _readable;
    private CommandList _list;
    private CommandList? _profiled;
    private bool _disposed;

    internal CompiledGraph(Device device, string name, bool profile, List<GpuBuffer> buffers, IReadOnlyList<(Node, IOp)> ops,
        IReadOnlyDictionary<string, TensorSpec> tensors, Dictionary<string, (Tensor, TensorSpec)> readable, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        long activationBytes, long peakLiveBytes, long weightBytes)
    {
        _device = device;
        Name = name;
        _profile = profile;
        _buffers = buffers;
        _ops = ops;
        _readable = readable;
        Tensors = tensors;
        Inputs = inputs;
        Outputs = outputs;
        ActivationBytes = activationBytes;
        PeakLiveBytes = peakLiveBytes;
        WeightBytes = weightBytes;
        (_list, _profiled) = RecordLists();
    }

    public string Name { get; }

    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Every tensor of the network with its inferred spec (only inputs, outputs and kept ones are readable).</summary>
    public IReadOnlyDictionary<string, TensorSpec> Tensors { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Bytes of the activation arenas (inputs, outputs and aliased intermediates): the peak tensor memory.</summary>
    public long ActivationBytes { get; }

    /// <summary>The most activation bytes live at one step; <see cref="ActivationBytes"/> is what the placement achieved.</summary>
    public long PeakLiveBytes { get; }

    public long WeightBytes { get; }

    public int DispatchCount => _list.DispatchCount;

    /// <summary>Times the lists were recorded again by <see cref="Refresh"/>.</summary>
    public int Rerecords { get; private set; }

    public double Flops => _ops.Sum(o => o.Op.Flops);

    /// <summary>The variant each node's op runs (<see cref="IOp.Variant"/>), by node name, for nodes that report one.</summary>
    public IReadOnlyDictionary<string, string> Variants => _ops.Where(o => o.Op.Variant.Length > 0).ToDictionary(o => o.Node.Name, o => o.Op.Variant);

    /// <summary>The spec of a readable tensor (an input, an output or a kept intermediate).</summary>
    public TensorSpec Spec(string tensor) => Entry(tensor).Spec;

    /// <summary>The GPU tensor of an input, output or kept intermediate (to fill or read without a copy).</summary>
    public Tensor Tensor(string tensor) => Entry(tensor).Tensor;

    /// <summary>Writes an input's elements (in its stored layout); waits for a run still reading it.</summary>
    public void SetInput(string input, ReadOnlySpan<float> values)
    {
        if (!Inputs.Contains(input))
            throw new EngineException($"Graph '{Name}': '{input}' is not an input; inputs are {string.Join(", ", Inputs)}.");
        var (tensor, spec) = Entry(input);
        if (values.Length != spec.Shape.ElementCount)
            throw new EngineException($"Graph '{Name}': input '{input}' takes {spec.Shape} = {spec.Shape.ElementCount} values, got {values.Length}.");
        tensor.Upload(values);
    }

    /// <summary>
    /// Submits the recorded network once; the GPU works while the caller goes on. With
    /// <paramref name="profile"/> the profiled recording runs (a graph compiled with
    /// <see cref="CompileOptions.Profile"/>), so <see cref="Profile"/> reports this run.
    /// </summary>
    public Submission Submit(bool profile = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _device.Submit(profile ? ProfiledList() : _list);
    }

    public void Run(bool profile = false) => Submit(profile).Wait();

    /// <summary>
    /// The elements of a readable tensor in its stored layout, after the last run. A tensor with a
    /// data-dependent size returns only its valid rows (the count is read from the GPU first).
    /// </summary>
    public float[] Read(string tensor)
    {
        var (t, spec) = Entry(tensor);
        var values = t.Download<float>();
        if (spec.CountTensor is not { } countName)
            return values;
        var count = (long)Entry(countName).Tensor.Download<uint>()[0];
        var row = spec.Shape.ElementCount / Math.Max(1, spec.Shape[0]);
        return values[..(int)(Math.Min(count, spec.Shape[0]) * row)];
    }

    /// <summary>
    /// A readable tensor as PyTorch holds it: a channels-last activation (N, ..., Cp) comes back as
    /// (N, C, ...) without the padded channels; other tensors as stored (valid rows only).
    /// </summary>
    public NpyArray ReadTorch(string tensor)
    {
        var spec = Spec(tensor);
        var values = Read(tensor);
        var dims = spec.Shape.Dims.ToArray();
        if (spec.CountTensor is not null)
            dims[0] = (int)(values.LongLength / Math.Max(1, spec.Shape.ElementCount / Math.Max(1, dims[0])));
        var stored = new Shape(dims);
        return spec.Channels is { } channels
            ? NpyArray.FromFloats(TorchShape(spec with { Shape = stored }), ChannelsFirst(values, stored, channels))
            : NpyArray.FromFloats(stored, values);
    }

    /// <summary>(N, d1..dk, Cp) -> (N, C, d1..dk).</summary>
    internal static Shape TorchShape(TensorSpec spec)
    {
        var dims = spec.Shape.Dims;
        var torch = new List<int> { dims[0], spec.Channels ?? dims[^1] };
        for (var i = 1; i < dims.Length - 1; i++)
            torch.Add(dims[i]);
        return new Shape(torch.ToArray());
    }

    internal static float[] ChannelsFirst(float[] values, Shape stored, int channels)
    {
        var n = stored[0];
        var cp = stored[-1];
        var pixels = (int)(stored.ElementCount / Math.Max(1, (long)n * cp));
        var result = new float[(long)n * channels * pixels];
        for (var b = 0; b < n; b++)
        {
            for (var p = 0; p < pixels; p++)
            {
                var src = ((long)b * pixels + p) * cp;
                for (var c = 0; c < channels; c++)
                    result[((long)b * channels + c) * pixels + p] = values[src + c];
            }
        }
        return result;
    }

    /// <summary>
    /// Records the list(s) again if an op reports <see cref="IOp.IsStale"/> (a reloaded shader); true
    /// when it did. Call it between runs: the old lists are destroyed once the GPU is past their last
    /// use, and the next <see cref="Submit"/> runs the new pipelines.
    /// </summary>
    public bool Refresh()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_ops.Any(o => o.Op.IsStale))
            return false;
        var (list, profiled) = RecordLists();
        _list.Dispose();
        _profiled?.Dispose();
        (_list, _profiled) = (list, profiled);
        Rerecords++;
        return true;
    }

    private (CommandList List, CommandList? Profiled) RecordLists()
    {
        // A timestamp after every dispatch is not free (docs/bench-log.md, 2026-12-05), so profiling
        // records a second list over the same tensors and plain runs stay unmeasured by it.
        var list = Record(Name, profile: false);
        try
        {
            return (list, _profile ? Record($"{Name} (profiled)", profile: true) : null);
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    private CommandList Record(string name, bool profile)
    {
        var list = _device.CreateCommandList(name, profile);
        try
        {
            foreach (var (node, op) in _ops)
            {
                list.Region = node.Name;
                op.Record(list);
            }
            list.Region = null;
            list.Finish();
            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    /// <summary>GPU time per node of the last profiled run (<see cref="Run"/> with profile), in recording order.</summary>
    public IReadOnlyList<NodeProfile> Profile()
    {
        var timings = ProfiledList().Timings().GroupBy(t => t.Region).ToDictionary(g => g.Key, g => (Count: g.Count(), Ms: g.Sum(t => t.Milliseconds)));
        return _ops.Select(o =>
        {
            var (count, ms) = timings.GetValueOrDefault(o.Node.Name);
            return new NodeProfile(o.Node.Name, o.Node.GetType().Name.Replace("Node", "", StringComparison.Ordinal), count, ms, o.Op.Flops, o.Op.Variant);
        }).ToArray();
    }

    private CommandList ProfiledList()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _profiled ?? throw new EngineException($"Graph '{Name}' was compiled without profiling; compile it with CompileOptions.Profile to time its nodes.");
    }

    private (Tensor Tensor, TensorSpec Spec) Entry(string tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _readable.TryGetValue(tensor, out var entry) ? entry
            : throw new EngineException($"Graph '{Name}': tensor '{tensor}' is not kept after a run (its memory is reused); keep it at compile time. Readable: {string.Join(", ", _readable.Keys)}.");
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _list.Dispose();
        _profiled?.Dispose();
        foreach (var b in _buffers)
            b.Dispose();
    }
}
