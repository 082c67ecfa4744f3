using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Ops;

namespace Engine.Host;

/// <summary>
/// The host's implementation of the plugin graph API: every call adds nodes to one
/// <see cref="GraphBuilder"/>, and <see cref="Compile"/> returns its <see cref="CompiledGraph"/>, so
/// a model and the plugin's own ops record into one command list and run as one submission.
/// <see cref="Model"/> and <see cref="Detector"/> include the package's graph, whose input becomes the
/// network's (the clip buffer writes straight into it), and return the outputs its builder names.
/// Shapes are inferred as nodes are added, so errors surface at build time.
/// </summary>
public sealed class NetworkBuilder : INetworkBuilder, IDisposable
{
    /// <summary>The clip input's name when no model claims it.</summary>
    private const string ClipInput = "clip";

    private readonly Device _device;
    private readonly CompileOptions _compile;
    private readonly PluginShaders? _shaders;
    private readonly GraphBuilder _graph;
    private readonly TensorSpec _inputSpec;
    // Per NetworkTensor id: the graph tensor it names and its shape.
    private readonly List<(string Name, Shape Shape)> _tensors = [];
    // Constants by id: a Linear packs their values itself; anything else reads them through a ConstantNode, added once.
    private readonly Dictionary<int, float[]> _constants = [];
    private readonly HashSet<int> _placedConstants = [];
    private float[]? _query;
    // The model's package stays open until the graph compiles: weights are read only then.
    private WeightPackage? _package;
    private bool _compiled;

    /// <summary>
    /// A builder for a network on <paramref name="device"/> whose input, the clip (channels-last
    /// (N, T, H, W, 4) RGB), has <paramref name="inputShape"/>; <paramref name="shaders"/> (null: none) serve its kernels.
    /// </summary>
    public NetworkBuilder(Device device, Shape inputShape, PluginShaders? shaders, string name, CompileOptions? compile = null)
    {
        _device = device;
        _compile = compile ?? new CompileOptions();
        _shaders = shaders;
        Name = name;
        _graph = new GraphBuilder(name);
        _inputSpec = inputShape.Rank == 5 && inputShape[-1] == 4 ? TensorSpec.Activation(inputShape[0], inputShape[1], inputShape[2], inputShape[3], 3) : new TensorSpec(inputShape);
        _tensors.Add((ClipInput, inputShape));
        Input = new NetworkTensor(0, inputShape.Dims.ToArray());
    }

    public string Name { get; }

    public NetworkTensor Input { get; }

    /// <summary>The graph input the clip is written to.</summary>
    public string InputName => _tensors[Input.Id].Name;

    /// <summary>The graph input holding the attention query (<see cref="NonLocalNode.QuerySpec"/>), when the model was asked for attention.</summary>
    public string? AttentionQuery { get; private set; }

    public ModelOutputs Model(string packagePath, NetworkTensor input, AttentionRequest? attention = null)
    {
        var shape = _inputSpec.Shape;
        var package = OpenModel(packagePath, input);
        if (package.Metadata.Kind != VideoResNetArchitecture.KindName)
            throw new EngineException($"{Name}: {packagePath} is a '{package.Metadata.Kind}' package, not a classifier; a detector package goes through Detector().");
        Include(VideoResNetBuilder.Build(package, shape[0], shape[1], shape[2], shape[3], channelsLastInput: true, attention?.Block),
            VideoResNetBuilder.ChannelsLastInput);
        NetworkTensor? map = null;
        if (attention is not null)
        {
            AttentionQuery = VideoResNetBuilder.AttentionQuery;
            _query = NonLocalNode.MiddleFrameQuery(attention.QueryX, attention.QueryY);
            map = Add(VideoResNetBuilder.AttentionMap);
        }
        return new ModelOutputs(Add(VideoResNetBuilder.Logits), Add(VideoResNetBuilder.Probabilities), map);
    }

    public DetectionOutputs Detector(string packagePath, NetworkTensor input)
    {
        var shape = _inputSpec.Shape;
        if (shape[0] != 1 || shape[1] != 1)
            throw new EngineException($"{Name}: a detector runs on one whole frame (1, 1, H, W, 4), the input is {shape}.");
        var package = OpenModel(packagePath, input);
        if (!DetectorArchitecture.IsDetector(package.Metadata.Kind))
            throw new EngineException($"{Name}: {packagePath} is a '{package.Metadata.Kind}' package, not a detector; a classifier goes through Model().");
        Include(DetectorBuilder.Build(package, shape[2], shape[3], channelsLastInput: true), DetectorBuilder.Input);
        NetworkTensor? Optional(string name) => _graph.Nodes.Any(n => n.Outputs.Contains(name)) ? Add(name) : null;
        return new DetectionOutputs(Add(DetectorBuilder.Boxes), Add(DetectorBuilder.Scores), Add(DetectorBuilder.Labels), Add(DetectorBuilder.Count),
            Optional(DetectorBuilder.Masks), Optional(DetectorBuilder.Keypoints));
    }

    private WeightPackage OpenModel(string packagePath, NetworkTensor input)
    {
        if (_package is not null)
            throw new EngineException($"{Name}: one model per network.");
        if (input != Input || _graph.Nodes.Count > 0)
            throw new EngineException($"{Name}: a model must be the first thing applied, to the network's input.");
        return _package = WeightPackage.Open(packagePath);
    }

    // The model's graph joins this one, names unchanged; its input becomes the network's.
    private void Include(GraphBuilder model, string modelInput)
    {
        var inputSpec = model.Inputs.FirstOrDefault(i => i.Name == modelInput).Spec;
        if (inputSpec is null || inputSpec.Shape != _inputSpec.Shape)
            throw new EngineException($"{Name}: the model takes {inputSpec?.Shape.ToString() ?? "no input '" + modelInput + "'"}, the clip is {_inputSpec.Shape}.");
        _graph.Include(model);
        _tensors[Input.Id] = (modelInput, _inputSpec.Shape);
    }

    public NetworkTensor Constant(string name, IReadOnlyList<int> shape, float[] values)
    {
        var s = new Shape([.. shape]);
        if (s.ElementCount != values.Length)
            throw new EngineException($"{Name}: constant '{name}' {s} needs {s.ElementCount} values, {values.Length} given.");
        _tensors.Add((Unique($"constant {name}"), s));
        _constants[_tensors.Count - 1] = values;
        return new NetworkTensor(_tensors.Count - 1, s.Dims.ToArray());
    }

    /// <summary>A fully connected layer (<see cref="FullyConnectedNode"/>); its weight and bias must be constants, which it packs into the weight arena.</summary>
    public NetworkTensor Linear(NetworkTensor x, NetworkTensor weight, NetworkTensor? bias = null)
    {
        var (xShape, wShape) = (Lookup(x).Shape, Lookup(weight).Shape);
        if (xShape.Rank != 2 || wShape.Rank != 2 || xShape[1] != wShape[0] || wShape[0] % 4 != 0 || wShape[1] % 4 != 0)
            throw new EngineException($"{Name}: Linear takes x (M, K) and weight (K, N), K and N multiples of 4; got {xShape} and {wShape}.");
        var (k, n) = (wShape[0], wShape[1]);
        if (!_constants.TryGetValue(weight.Id, out var w) || (bias is not null && !_constants.ContainsKey(bias.Id)))
            throw new EngineException($"{Name}: Linear's weight and bias must be constants (Constant()).");
        if (bias is not null && Lookup(bias).Shape.ElementCount != n)
            throw new EngineException($"{Name}: Linear's bias {Lookup(bias).Shape} must have {n} values.");
        var b = bias is null ? new float[n] : _constants[bias.Id];
        var input = Resolve(x);
        // FullyConnectedNode reads PyTorch's (out, in) layout: the (K, N) weight transposed, over x's
        // real channels (a model's probabilities are padded to K; the padding is zero, and so are its products).
        var channels = _graph.Specs()[input].Channels ?? k;
        var transposed = new float[n * channels];
        for (var i = 0; i < channels; i++)
        {
            for (var j = 0; j < n; j++)
                transposed[j * channels + i] = w[i * n + j];
        }
        var output = Unique("linear");
        _graph.Add(new FullyConnectedNode(output, input, output, () => transposed, () => b, n));
        return Add(output);
    }

    public NetworkTensor Reshape(NetworkTensor x, IReadOnlyList<int> shape)
    {
        var output = Unique("reshape");
        _graph.Add(new ReshapeNode(output, Resolve(x), output, new Shape([.. shape])));
        return Add(output);
    }

    public NetworkTensor Kernel(string shaderFile, IReadOnlyList<int> outputShape, IReadOnlyList<NetworkTensor> inputs, uint[] push, (uint X, uint Y, uint Z) groups)
    {
        if (_shaders is null)
            throw new EngineException($"{Name}: kernel {shaderFile}: the plugin declares no shader folder in plugin.json.");
        PluginShader shader;
        try
        {
            shader = _shaders.Get(shaderFile);
        }
        catch (EngineException e) when (e is not ShaderCompileException)
        {
            throw new EngineException($"{Name}: {e.Message}");
        }
        var sources = inputs.Select(Resolve).ToArray();
        var output = Unique(Path.GetFileNameWithoutExtension(shader.Path));
        _graph.Add(new PluginKernelNode(output, shader, sources, output, new Shape([.. outputShape]), push, new Groups(groups.X, groups.Y, groups.Z)));
        return Add(output);
    }

    public void Output(string name, NetworkTensor tensor)
    {
        if (_graph.Outputs.Any(o => o.Name == name))
            throw new EngineException($"{Name}: output '{name}' is marked twice.");
        _graph.Output(Resolve(tensor), name);
    }

    /// <summary>The shape of every output marked so far, by output name (shapes are inferred as nodes are added: nothing compiles).</summary>
    public IReadOnlyDictionary<string, Shape> OutputShapes()
    {
        DeclareClip();
        var specs = _graph.Specs();
        return _graph.Outputs.ToDictionary(o => o.Name, o => specs[o.Tensor].Shape);
    }

    /// <summary>
    /// Compiles the network: one graph, one command list, one submission per run. The clip goes to
    /// <see cref="InputName"/>; an attention query starts at the plugin's request.
    /// </summary>
    public CompiledGraph Compile()
    {
        if (_compiled)
            throw new EngineException($"{Name}: already compiled.");
        if (_graph.Outputs.Count == 0)
            throw new EngineException($"{Name}: the network marks no outputs.");
        DeclareClip();
        _compiled = true;
        CompiledGraph graph;
        try
        {
            graph = _graph.Compile(_device, _compile);
        }
        finally
        {
            _package?.Dispose();
        }
        if (AttentionQuery is not null)
            graph.SetInput(AttentionQuery, _query!);
        return graph;
    }

    // Without a model the clip is the graph's own input, declared once the first node reads it (a model brings its own).
    private void DeclareClip()
    {
        if (_package is null && _graph.Inputs.Count == 0)
            _graph.Input(ClipInput, _inputSpec);
    }

    private string Unique(string what) => $"{Name}/{what} {_tensors.Count}";

    /// <summary>A handle for a tensor a node just wrote; inferring its shape now makes shape errors surface at build time.</summary>
    private NetworkTensor Add(string tensor)
    {
        DeclareClip();
        var shape = _graph.Specs()[tensor].Shape;
        _tensors.Add((tensor, shape));
        return new NetworkTensor(_tensors.Count - 1, shape.Dims.ToArray());
    }

    private (string Name, Shape Shape) Lookup(NetworkTensor t) =>
        t.Id >= 0 && t.Id < _tensors.Count && _tensors[t.Id].Shape.Dims.SequenceEqual(t.Shape.ToArray())
            ? _tensors[t.Id]
            : throw new EngineException($"{Name}: tensor {t} does not belong to this network.");

    /// <summary>The graph tensor a handle names; a constant read by anything but a Linear becomes a <see cref="ConstantNode"/> here, once.</summary>
    private string Resolve(NetworkTensor t)
    {
        var (name, shape) = Lookup(t);
        if (_constants.TryGetValue(t.Id, out var values) && _placedConstants.Add(t.Id))
            _graph.Add(new ConstantNode(name, name, shape, values));
        return name;
    }

    /// <summary>Closes the model's package of a builder that was never compiled (a failed build).</summary>
    public void Dispose()
    {
        if (!_compiled)
            _package?.Dispose();
    }
}
