using Engine.Contracts;

namespace NonLocalAction;

/// <summary>
/// nonlocal-action: runs a converted C2D/I3D package (any variant, depth, non-local placement) on
/// clips of the package's geometry (or the one the parameters set) and shows its top-k actions. Scores are the softmax averaged over
/// the batch (clips x crops, the papers' multi-clip test protocol), optionally label-smoothed
/// (p' = (1 - e) p + e / K) and averaged over the last k predictions. On request it also shows the
/// attention of one non-local block for a query position as a heat map over the centre crop
/// (Wang et al., Figure 3).
/// </summary>
public sealed class NonLocalActionPlugin : IPlugin
{
    private readonly Queue<double[]> _history = new();
    private ParameterValues? _parameters;
    private ModelInfo? _model;

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Int("top_k", "labels shown", 5, 1, 20),
        ParameterSpec.Int("frames", "clip length T (0 = the package's)", 0, 0, 256),
        ParameterSpec.Int("sampling_rate", "take every r-th frame (0 = the package's)", 0, 0, 64),
        ParameterSpec.Int("short_side", "resize the short side to this (0 = the package's)", 0, 0, 1024),
        ParameterSpec.Int("crop", "crop size (0 = the package's)", 0, 0, 1024),
        ParameterSpec.Float("threshold", "hide labels scoring below this", 0.0, 0.0, 1.0),
        ParameterSpec.Int("average", "average the scores of the last k predictions", 1, 1, 64),
        ParameterSpec.Float("label_smoothing", "mix e of the uniform distribution into the scores", 0.0, 0.0, 0.5),
        ParameterSpec.Int("clips", "clips per prediction (averaged)", 1, 1, 10),
        ParameterSpec.Int("clip_stride", "sampled frames between the starts of two clips (0 = the clip length)", 0, 0, 256),
        ParameterSpec.Choice("crops", "centre crop, or three crops along the long side (averaged)", "centre", "centre", "three"),
        ParameterSpec.Int("every", "run every N frames (0 = whenever the previous run has finished)", 0, 0, 10000),
        ParameterSpec.Int("attention_block", "show the attention map of this non-local block (-1 = off)", -1, -1, 64),
        ParameterSpec.Float("query_x", "attention query position, fraction of the width", 0.5, 0.0, 1.0),
        ParameterSpec.Float("query_y", "attention query position, fraction of the height", 0.5, 0.0, 1.0),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        _parameters = context.Parameters;
        _model = context.Model ?? throw new InvalidOperationException("nonlocal-action needs a converted weight package: pass --model PATH.safetensors (see weight-converter).");
        if (_model.Labels.Count == 0)
            throw new InvalidOperationException($"{_model.Path}: the package lists no labels.");
        var block = context.Parameters.Int("attention_block");
        if (block >= _model.NonLocalBlocks)
            throw new InvalidOperationException($"attention_block {block}: the package has {_model.NonLocalBlocks} non-local blocks.");
        _history.Clear();
        var clips = context.Parameters.Int("clips");
        int Geometry(string name, int? fromPackage) => context.Parameters.Int(name) is > 0 and var v ? v
            : fromPackage ?? throw new InvalidOperationException($"{_model.Path} states no clip {name}; pass --param {name}=N.");
        var frames = Geometry("frames", _model.Frames);
        var normalization = _model.Normalization;
        if (normalization is null)
        {
            context.Log("the package states no normalisation; using ImageNet statistics");
            normalization = Normalization.ImageNet;
        }
        var stride = context.Parameters.Int("clip_stride") is > 0 and var s ? s : frames;
        var geometry = new ClipGeometry(frames, Geometry("sampling_rate", _model.SamplingRate), Geometry("short_side", _model.ShortSide), Geometry("crop", _model.Crop), normalization,
            clips, context.Parameters["crops"] == "three" ? 3 : 1, clips > 1 ? stride : 0);
        OutputKind[] outputs = block >= 0 ? [OutputKind.Scores, OutputKind.HeatMap] : [OutputKind.Scores];
        return [new NetworkSpec("action", new NetworkInput(geometry), outputs, context.Parameters.Int("every"))];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        var p = _parameters!;
        var block = p.Int("attention_block");
        var request = block >= 0 ? new AttentionRequest(block, p.Float("query_x"), p.Float("query_y")) : null;
        var outputs = network.Model(_model!.Path, network.Input, request);
        network.Output("probabilities", outputs.Probabilities);
        if (outputs.Attention is { } attention)
            network.Output("attention", attention);
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        var p = _parameters!;
        var probabilities = result.Outputs["probabilities"];
        var stride = probabilities.Shape[^1];
        var batch = probabilities.Values.Length / stride;
        var classes = _model!.Labels.Count;
        if (classes > stride)
            throw new InvalidOperationException($"the network gives {stride} scores for {classes} labels.");

        // The papers' multi-clip, multi-crop protocol: the mean of the per-view softmax.
        var scores = new double[classes];
        for (var n = 0; n < batch; n++)
        {
            for (var c = 0; c < classes; c++)
                scores[c] += probabilities.Values[n * stride + c] / batch;
        }
        var e = p.Float("label_smoothing");
        for (var c = 0; c < classes; c++)
            scores[c] = (1 - e) * scores[c] + e / classes;

        _history.Enqueue(scores);
        while (_history.Count > p.Int("average"))
            _history.Dequeue();
        var averaged = new double[classes];
        foreach (var h in _history)
        {
            for (var c = 0; c < classes; c++)
                averaged[c] += h[c] / _history.Count;
        }

        var threshold = p.Float("threshold");
        var topk = Enumerable.Range(0, classes).OrderByDescending(c => averaged[c]).Take(p.Int("top_k"))
            .Where(c => averaged[c] >= threshold).Select(c => new LabelScore(_model.Labels[c], averaged[c])).ToArray();

        HeatMap? heat = null;
        if (result.Outputs.TryGetValue("attention", out var attention) && attention.Shape.Count == 4)
        {
            // The query lies in the first view of the batch (clip 0, crop 0); show its weights over the
            // key grid averaged over the key frames, placed on that crop.
            var (t, h, w) = (attention.Shape[1], attention.Shape[2], attention.Shape[3]);
            var map = new float[h * w];
            for (var k = 0; k < t; k++)
            {
                for (var i = 0; i < h * w; i++)
                    map[i] += attention.Values[k * h * w + i] / t;
            }
            heat = new HeatMap(result.Crops[0], w, h, map);
        }
        return new DisplayMetadata(topk, [], [], heat);
    }
}
