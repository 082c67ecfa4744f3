using Engine.Contracts;
using Engine.Gpu;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Ops;

namespace Engine.Host;

/// <summary>
/// The host's implementation of the plugin graph API over Engine.Core: tensors are allocated here,
/// ops validate shapes as they are added (so errors surface at build time), and <see cref="Compile"/>
/// hands them to a <see cref="CompiledNetwork"/>, which records them into one command list whose
/// barriers the command list derives. A model from a
/// weight package compiles to the engine's graph, whose input tensor becomes the node's input (the
/// clip buffer writes straight into it).
/// </summary>
public sealed class NetworkBuilder : INetworkBuilder, IDisposable
{
    private readonly Device _device;
    private readonly PluginShaders? _shaders;
    private readonly List<Tensor> _tensors = [];
    private readonly List<Tensor> _owned = [];
    private readonly List<IOp> _ops = [];
    private readonly Dictionary<string, Tensor> _outputs = [];
    private CompiledGraph? _model;
    private bool _compiled;

    /// <summary>A builder for a network on <paramref name="device"/> whose input has <paramref name="inputShape"/>; <paramref name="shaders"/> (null: none) serve its kernels.</summary>
    public NetworkBuilder(Device device, Shape inputShape, PluginShaders? shaders, string name)
    {
        _device = device;
        _shaders = shaders;
        Name = name;
        Input = Add(Own(device.CreateTensor($"{name} input", inputShape)));
    }

    public string Name { get; }

    public NetworkTensor Input { get; }

    public ModelOutputs Model(string packagePath, NetworkTensor input, AttentionRequest? attention = null)
    {
        var model = Attach(packagePath, input, attention is null ? null : (attention.Block, attention.QueryX, attention.QueryY));
        var map = model.Outputs.FirstOrDefault(o => o.EndsWith(Graph.Nodes.NonLocalNode.AttentionSuffix, StringComparison.Ordinal));
        if (!model.Outputs.Contains(VideoResNetBuilder.Probabilities))
            throw new EngineException($"{Name}: {packagePath} is not a classifier (outputs {string.Join(", ", model.Outputs)}); a detector package goes through Detector().");
        return new ModelOutputs(Add(model.Tensor(VideoResNetBuilder.Logits)), Add(model.Tensor(VideoResNetBuilder.Probabilities)),
            map is null ? null : Add(model.Tensor(map)));
    }

    public DetectionOutputs Detector(string packagePath, NetworkTensor input)
    {
        var shape = _tensors[Input.Id].Shape;
        if (shape[0] != 1 || shape[1] != 1)
            throw new EngineException($"{Name}: a detector runs on one whole frame (1, 1, H, W, 4), the input is {shape}.");
        var model = Attach(packagePath, input, null);
        if (!model.Outputs.Contains(DetectorBuilder.Boxes))
            throw new EngineException($"{Name}: {packagePath} is not a detector (outputs {string.Join(", ", model.Outputs)}); a classifier goes through Model().");
        return new DetectionOutputs(Add(model.Tensor(DetectorBuilder.Boxes)), Add(model.Tensor(DetectorBuilder.Scores)), Add(model.Tensor(DetectorBuilder.Labels)),
            Add(model.Tensor(DetectorBuilder.Count)), model.Outputs.Contains(DetectorBuilder.Masks) ? Add(model.Tensor(DetectorBuilder.Masks)) : null,
            model.Outputs.Contains(DetectorBuilder.Keypoints) ? Add(model.Tensor(DetectorBuilder.Keypoints)) : null);
    }

    // Compiles the package's graph for the node's input and makes its input tensor the node's (the
    // clip buffer writes straight into it).
    private CompiledGraph Attach(string packagePath, NetworkTensor input, (int Block, double X, double Y)? attention)
    {
        if (_model is not null)
            throw new EngineException($"{Name}: one model per network.");
        if (input != Input || _ops.Count > 0)
            throw new EngineException($"{Name}: a model must be the first thing applied, to the network's input.");
        var shape = _tensors[Input.Id].Shape;
        using (var package = WeightPackage.Open(packagePath))
            _model = ModelBuilder.Build(package, shape[0], shape[1], shape[2], shape[3], channelsLastInput: true, attention).Compile(_device);
        if (_model.Inputs.Count != 1)
            throw new EngineException($"{Name}: the model has inputs {string.Join(", ", _model.Inputs)}; a node feeds exactly one.");
        var modelInput = _model.Tensor(_model.Inputs[0]);
        if (modelInput.Shape != shape)
            throw new EngineException($"{Name}: the model takes {modelInput.Shape}, the clip is {shape}.");
        // The builder's own input tensor is not needed.
        _owned.Remove(_tensors[Input.Id]);
        _tensors[Input.Id].Dispose();
        _tensors[Input.Id] = modelInput;
        return _model;
    }

    public NetworkTensor Constant(string name, IReadOnlyList<int> shape, float[] values)
    {
        var s = new Shape([.. shape]);
        if (s.ElementCount != values.Length)
            throw new EngineException($"{Name}: constant '{name}' {s} needs {s.ElementCount} values, {values.Length} given.");
        return Add(Own(_device.CreateTensor<float>($"{Name} {name}", s, values)));
    }

    public NetworkTensor Linear(NetworkTensor x, NetworkTensor weight, NetworkTensor? bias = null)
    {
        var a = Resolve(x);
        var b = Resolve(weight);
        if (a.Shape.Rank != 2 || b.Shape.Rank != 2)
            throw new EngineException($"{Name}: Linear takes x (M, K) and weight (K, N), got {a.Shape} and {b.Shape}.");
        var c = Own(_device.CreateTensor($"{Name} linear {_ops.Count}", new Shape(a.Shape[0], b.Shape[1])));
        _ops.Add(new Gemm(_device, a, b, c, bias is null ? null : Resolve(bias), name: $"{Name} linear"));
        return Add(c);
    }

    public NetworkTensor Reshape(NetworkTensor x, IReadOnlyList<int> shape) => Add(Resolve(x).Reshape(new Shape([.. shape])));

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
        var output = Own(_device.CreateTensor($"{Name} {Path.GetFileNameWithoutExtension(shader.Path)} {_ops.Count}", new Shape([.. outputShape])));
        _ops.Add(new PluginKernel(shader, [.. inputs.Select(Resolve)], output, push, new Groups(groups.X, groups.Y, groups.Z)));
        return Add(output);
    }

    public void Output(string name, NetworkTensor tensor)
    {
        if (!_outputs.TryAdd(name, Resolve(tensor)))
            throw new EngineException($"{Name}: output '{name}' is marked twice.");
    }

    /// <summary>Compiles the network (its ops are recorded into one command list); the builder's tensors pass to the compiled network.</summary>
    public CompiledNetwork Compile()
    {
        if (_compiled)
            throw new EngineException($"{Name}: already compiled.");
        if (_outputs.Count == 0)
            throw new EngineException($"{Name}: the network marks no outputs.");
        var network = new CompiledNetwork(_device, Name, _tensors[Input.Id], _model, [.. _ops], _outputs, [.. _owned]);
        _compiled = true;
        return network;
    }

    private Tensor Own(Tensor tensor)
    {
        _owned.Add(tensor);
        return tensor;
    }

    private NetworkTensor Add(Tensor tensor)
    {
        _tensors.Add(tensor);
        return new NetworkTensor(_tensors.Count - 1, tensor.Shape.Dims.ToArray());
    }

    private Tensor Resolve(NetworkTensor t) =>
        t.Id >= 0 && t.Id < _tensors.Count && _tensors[t.Id].Shape.Dims.SequenceEqual(t.Shape.ToArray())
            ? _tensors[t.Id]
            : throw new EngineException($"{Name}: tensor {t} does not belong to this network.");

    /// <summary>Frees the tensors of a builder that was never compiled (a failed build).</summary>
    public void Dispose()
    {
        if (_compiled)
            return;
        _model?.Dispose();
        foreach (var tensor in _owned.AsEnumerable().Reverse())
            tensor.Dispose();
    }
}
