using Engine.Gpu;
using Engine.Ops;
using Engine.Tuning;

namespace Engine.Graph;

/// <summary>
/// Describes a network as nodes over named tensors, in any order, and compiles it once for a device:
/// topological order, shape inference (errors name the node and the shapes), liveness-based
/// aliasing of intermediate tensors in a few arenas, weights uploaded once, ops created and recorded
/// into one command list. The result, a <see cref="CompiledGraph"/>, is what runs per frame. A model's
/// graph and a plugin's own nodes are one graph (<see cref="Include"/>), so they run as one submission.
/// </summary>
public sealed class GraphBuilder(string name)
{
    private readonly List<(string Name, TensorSpec Spec)> _inputs = [];
    private readonly List<Node> _nodes = [];
    private readonly List<(string Tensor, string Name)> _outputs = [];

    public string Name { get; } = name;

    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>The declared inputs with their specs.</summary>
    public IReadOnlyList<(string Name, TensorSpec Spec)> Inputs => _inputs;

    /// <summary>The marked outputs: the tensor and the name it is read by.</summary>
    public IReadOnlyList<(string Tensor, string Name)> Outputs => _outputs;

    /// <summary>Declares a tensor the caller fills before each run.</summary>
    public string Input(string tensor, TensorSpec spec)
    {
        _inputs.Add((tensor, spec));
        return tensor;
    }

    public T Add<T>(T node) where T : Node
    {
        _nodes.Add(node);
        return node;
    }

    /// <summary>Marks a tensor as a result: kept alive and readable after every run, by its own name or by <paramref name="name"/>.</summary>
    public void Output(string tensor, string? name = null) => _outputs.Add((tensor, name ?? tensor));

    /// <summary>
    /// Adds the inputs and nodes of <paramref name="part"/> (a model's graph) to this graph, tensor and
    /// node names unchanged, so one graph compiles and one list records both; a name both use is an
    /// error at compile. Its outputs are not marked here: the caller marks what it reads.
    /// </summary>
    public void Include(GraphBuilder part)
    {
        _inputs.AddRange(part._inputs);
        _nodes.AddRange(part._nodes);
    }

    /// <summary>The spec of every tensor of the graph as built so far (shape errors name the node), without compiling it.</summary>
    public IReadOnlyDictionary<string, TensorSpec> Specs() => InferShapes(TopologicalOrder());

    /// <summary>Compile-time work, all of it: nothing here runs again per frame.</summary>
    public CompiledGraph Compile(Device device, CompileOptions? options = null)
    {
        options ??= new CompileOptions();
        var order = TopologicalOrder();
        var specs = InferShapes(order);
        if (options.Variants is null)
        {
            // The device's tuned choices; a device that tunes at compile first measures the shapes it lacks
            // (each candidate compiles this node alone, with explicit variants, so this does not recurse).
            if (device.Tuning.TuneAtCompile)
            {
                GraphTuner.Tune(device, order.Select(n => (n, (IReadOnlyList<TensorSpec>)n.Inputs.Select(t => specs[t]).ToArray())), options, untunedOnly: true,
                    Tuner.DefaultRounds, Tuner.DefaultMargin, tuned: null);
            }
            options = options with { Variants = device.Tuning.Choices };
        }
        foreach (var keep in options.Keep.Concat(_outputs.Select(o => o.Tensor)))
        {
            if (!specs.ContainsKey(keep))
                throw new EngineException($"Graph '{Name}': no tensor named '{keep}' to keep; tensors are {string.Join(", ", specs.Keys)}.");
        }

        // Step 0 fills the inputs; node k of the order runs at step k + 1; results live to the end.
        var first = new Dictionary<string, int>();
        var last = new Dictionary<string, int>();
        foreach (var (input, _) in _inputs)
            first[input] = last[input] = 0;
        for (var k = 0; k < order.Count; k++)
        {
            foreach (var t in order[k].Inputs)
                last[t] = k + 1;
            foreach (var t in order[k].Outputs)
                first[t] = last[t] = k + 1;
        }
        var end = order.Count + 1;
        var pinned = new HashSet<string>(options.Keep.Concat(_outputs.Select(o => o.Tensor)).Concat(_inputs.Select(i => i.Name)));
        foreach (var t in pinned.ToArray())
        {
            if (specs[t].CountTensor is { } count)
                pinned.Add(count);
        }
        foreach (var t in pinned)
            last[t] = end;

        var names = specs.Keys.ToArray();
        var alignment = (long)device.BindingAlignment;
        var requests = names.Select(t => new MemoryPlan.Request(specs[t].Bytes, first[t], last[t])).ToList();
        // Scratch lives during its node's step only.
        var scratchBytes = order.Select(n => n.ScratchBytes(device, n.Inputs.Select(t => specs[t]).ToArray(), options)).ToArray();
        var scratchRequest = new int[order.Count];
        for (var k = 0; k < order.Count; k++)
        {
            scratchRequest[k] = scratchBytes[k] > 0 ? requests.Count : -1;
            if (scratchBytes[k] > 0)
                requests.Add(new MemoryPlan.Request(scratchBytes[k], k + 1, k + 1));
        }
        var plan = new MemoryPlan(requests, alignment, options.ArenaLimit);
        var buffers = new List<GpuBuffer>();
        var ops = new List<(Node Node, IOp Op)>();
        try
        {
            for (var a = 0; a < plan.ArenaSizes.Count; a++)
                buffers.Add(device.CreateBuffer($"{Name} arena {a}", (ulong)plan.ArenaSizes[a]));
            var tensors = new Dictionary<string, Tensor>();
            for (var i = 0; i < names.Length; i++)
            {
                var p = plan.Placements[i];
                tensors[names[i]] = new Tensor(buffers[p.Arena], (ulong)p.Offset, specs[names[i]].Shape, specs[names[i]].Type, names[i]);
            }

            var (weights, weightBytes) = UploadWeights(device, order, n => n.Weights(device, n.Inputs.Select(t => specs[t]).ToArray(), options), options,
                alignment, buffers);

            for (var k = 0; k < order.Count; k++)
            {
                var node = order[k];
                Tensor? scratch = null;
                if (scratchRequest[k] >= 0)
                {
                    var p = plan.Placements[scratchRequest[k]];
                    scratch = new Tensor(buffers[p.Arena], (ulong)p.Offset, new Shape(checked((int)((scratchBytes[k] + 3) / 4))), DataType.Float32, $"{node.Name} scratch");
                }
                var bound = new NodeTensors(node.Inputs.Select(t => tensors[t]).ToArray(), node.Outputs.Select(t => tensors[t]).ToArray(), weights[node], scratch);
                ops.Add((node, node.CreateOp(device, bound, options)));
            }

            var readable = pinned.ToDictionary(t => t, t => (tensors[t], specs[t]));
            foreach (var (tensor, name) in _outputs.Where(o => o.Name != o.Tensor))
            {
                if (!readable.TryAdd(name, (tensors[tensor], specs[tensor])) && readable[name].Item1 != tensors[tensor])
                    throw new EngineException($"Graph '{Name}': output name '{name}' (tensor '{tensor}') is already a tensor's name.");
            }
            return new CompiledGraph(device, Name, options.Profile, buffers, ops, specs, readable, _inputs.Select(i => i.Name).ToArray(),
                _outputs.Select(o => o.Name).Distinct().ToArray(), plan.TotalBytes, plan.PeakLiveBytes, weightBytes);
        }
        catch
        {
            foreach (var b in buffers)
                b.Dispose();
            throw;
        }
    }

    private static (Dictionary<Node, IReadOnlyDictionary<string, Tensor>> Weights, long Bytes) UploadWeights(
        Device device, IReadOnlyList<Node> order, Func<Node, IEnumerable<WeightData>> weightsOf, CompileOptions options, long alignment, List<GpuBuffer> buffers)
    {
        RequireWeightStorage(device, options.WeightStorage);
        var data = order.Select(n => (Node: n, Weights: weightsOf(n).ToArray())).ToArray();
        var flat = data.SelectMany(d => d.Weights.Select(w => (d.Node, Weight: w, Type: w.StorageType(options)))).ToArray();
        var byNode = order.ToDictionary(n => n, IReadOnlyDictionary<string, Tensor> (_) => new Dictionary<string, Tensor>());
        if (flat.Length == 0)
            return (byNode, 0);
        // Weights live for the whole graph: the same planner simply stacks them.
        var plan = new MemoryPlan(flat.Select(f => new MemoryPlan.Request(f.Weight.Bytes(options), 0, 0)).ToArray(), alignment, options.ArenaLimit);
        var arenas = plan.ArenaSizes.Select((size, a) => device.CreateBuffer($"weights {a}", (ulong)size)).ToArray();
        buffers.AddRange(arenas);
        for (var i = 0; i < flat.Length; i++)
        {
            var (node, weight, type) = flat[i];
            var tensor = new Tensor(arenas[plan.Placements[i].Arena], (ulong)plan.Placements[i].Offset, weight.Shape, type, $"{node.Name}.{weight.Name}");
            if (type == DataType.Float16)
                tensor.Upload<Half>(ToHalf(weight.Values, tensor.Name));
            else
                tensor.Upload<float>(weight.Values);
            var map = (Dictionary<string, Tensor>)byNode[node];
            if (!map.TryAdd(weight.Name, tensor))
                throw new EngineException($"{node}: two weights named '{weight.Name}'.");
        }
        return (byNode, plan.TotalBytes);
    }

    /// <summary>Float32 always; Float16 where the device can read rgba16f texel buffers (the kernels' half-precision builds).</summary>
    private static void RequireWeightStorage(Device device, DataType storage)
    {
        if (storage == DataType.Float16 && !device.Info.HalfTexelBuffers)
            throw new EngineException($"fp16 weights: {device.Info.Name} cannot read rgba16f storage texel buffers (VK_FORMAT_R16G16B16A16_SFLOAT has no " +
                "STORAGE_TEXEL_BUFFER buffer feature); run with fp32 weights.");
        if (storage is not (DataType.Float32 or DataType.Float16))
            throw new EngineException($"Weights are stored as float32 or float16, not {storage.NumpyName()}.");
    }

    /// <summary>
    /// Rounded to nearest even, as torch's Tensor.half() rounds. A finite value beyond fp16's range
    /// (65504) would become an infinity and every output it touches wrong, so it is an error instead.
    /// </summary>
    private static Half[] ToHalf(float[] values, string name)
    {
        var half = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            half[i] = (Half)values[i];
            if (Half.IsInfinity(half[i]) && float.IsFinite(values[i]))
                throw new EngineException($"fp16 weights: {name}[{i}] = {values[i]} is beyond fp16's range (65504); run with fp32 weights.");
        }
        return half;
    }

    private List<Node> TopologicalOrder()
    {
        var producer = new Dictionary<string, Node?>();
        foreach (var (input, _) in _inputs)
        {
            if (!producer.TryAdd(input, null))
                throw new EngineException($"Graph '{Name}': input '{input}' is declared twice.");
        }
        foreach (var node in _nodes)
        {
            foreach (var t in node.Outputs)
            {
                if (!producer.TryAdd(t, node))
                    throw new EngineException($"Graph '{Name}': tensor '{t}' is written by {node} and by {(producer[t] is { } other ? other.ToString() : "the graph input")}.");
            }
        }
        foreach (var node in _nodes)
        {
            foreach (var t in node.Inputs)
            {
                if (!producer.ContainsKey(t))
                    throw new EngineException($"Graph '{Name}': {node} reads '{t}', which no node writes and no input declares.");
            }
        }
        foreach (var (t, _) in _outputs)
        {
            if (!producer.ContainsKey(t))
                throw new EngineException($"Graph '{Name}': output '{t}' is never written.");
        }

        // Kahn's algorithm, taking ready nodes in the order they were added so recording is predictable.
        var pending = _nodes.ToDictionary(n => n, n => n.Inputs.Distinct().Count(t => producer[t] is not null));
        var consumers = new Dictionary<Node, List<Node>>();
        foreach (var node in _nodes)
        {
            foreach (var t in node.Inputs.Distinct())
            {
                if (producer[t] is { } p)
                {
                    if (!consumers.TryGetValue(p, out var list))
                        consumers[p] = list = [];
                    list.Add(node);
                }
            }
        }
        var ready = new SortedSet<int>(_nodes.Select((n, i) => (n, i)).Where(x => pending[x.n] == 0).Select(x => x.i));
        var index = _nodes.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var order = new List<Node>();
        while (ready.Count > 0)
        {
            var node = _nodes[ready.Min];
            ready.Remove(ready.Min);
            order.Add(node);
            foreach (var c in consumers.GetValueOrDefault(node) ?? [])
            {
                if (--pending[c] == 0)
                    ready.Add(index[c]);
            }
        }
        if (order.Count != _nodes.Count)
            throw new EngineException($"Graph '{Name}': a cycle through {string.Join(", ", _nodes.Except(order).Select(n => n.ToString()))}.");
        return order;
    }

    private Dictionary<string, TensorSpec> InferShapes(List<Node> order)
    {
        var specs = _inputs.ToDictionary(i => i.Name, i => i.Spec);
        foreach (var node in order)
        {
            var outputs = node.InferOutputs(node.Inputs.Select(t => specs[t]).ToArray());
            if (outputs.Count != node.Outputs.Count)
                throw new EngineException($"{node}: inferred {outputs.Count} outputs for {node.Outputs.Count} names.");
            for (var i = 0; i < outputs.Count; i++)
                specs[node.Outputs[i]] = outputs[i];
        }
        return specs;
    }
}
