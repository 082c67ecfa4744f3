using Engine;
using Engine.Files;
using Engine.Models;
using WeightConverter.Config;
using WeightConverter.Containers;
using WeightConverter.Package;
using WeightConverter.Pickle;
using WeightConverter.Rules;

namespace WeightConverter.Dialects;

/// <summary>
/// Finds the state dict inside a checkpoint's wrapper (`blobs`, `model_state`, `state_dict`,
/// detectron2's `model`, or none), names what it skips, works out the dialect from the wrapper and the
/// key names (or takes `--dialect`), and hands the tensors to the dialect's mapper.
/// </summary>
internal static class DialectDetector
{
    /// <summary>The key that marks a detectron2 detector: its ResNet stem's conv.</summary>
    private const string Detectron2Probe = "backbone.bottom_up.stem.conv1.weight";

    public static readonly string[] Dialects = ["video-nonlocal-net", "pyslowfast", "mmaction2", "torchvision", "detectron2"];

    private static readonly HashSet<string> _trainingState = ["epoch", "optimizer", "optimizer_state", "param_schedulers", "message_hub", "scheduler", "lr", "model_iter"];

    public static MappedModel Map(Checkpoint checkpoint, ConvertOptions options)
    {
        if (checkpoint.Metadata.TryGetValue("format", out var format) && format == PackageMetadata.FormatName)
            throw new EngineException($"{checkpoint.Path}: already a weight package (converted from {checkpoint.Metadata.GetValueOrDefault("source_file", "?")}); the engine reads it as it is.");
        var (state, wrapper) = Unwrap(checkpoint);
        var requested = options.Dialect;
        if (requested is not null && !Dialects.Contains(requested))
            throw new EngineException($"--dialect '{requested}': expected one of {string.Join(", ", Dialects)}.");

        if (state.Has("backbone.body.conv1.weight") || state.Has(Detectron2Probe))
        {
            var detectron = state.Has(Detectron2Probe);
            var dialect = detectron ? "detectron2" : "torchvision";
            Require(checkpoint, requested, dialect, detectron ? "detectron2" : "torchvision detector");
            return DetectorMapper.Map(state, detectron, options, new Derivation(checkpoint.Path));
        }
        if (state.ShapeOf(TorchvisionVideoMapper.Probe) is { Length: 5 })
        {
            Require(checkpoint, requested, "torchvision", "torchvision video ResNet");
            return TorchvisionVideoMapper.Map(state, options, new Derivation(checkpoint.Path));
        }
        var naming = state.Has(VideoNaming.Caffe2.Probe) ? VideoNaming.Caffe2
            : state.Has(VideoNaming.SlowFast.Probe) ? VideoNaming.SlowFast
            : state.Has(VideoNaming.Mmaction.Probe) ? VideoNaming.Mmaction
            : state.Has(VideoNaming.Torchvision.Probe) ? VideoNaming.Torchvision
            : throw new EngineException($"{checkpoint.Path}: no known key naming ({state.Tensors.Count} tensors{(state.Tensors.Count > 0 ? $", the first '{state.Tensors[0].Key}'" : "")}); expected video-nonlocal-net, PySlowFast, mmaction2, torchvision or detectron2 names.");
        string detected;
        if (naming == VideoNaming.Caffe2)
            detected = requested == "pyslowfast" ? "pyslowfast" : "video-nonlocal-net";
        else if (naming == VideoNaming.SlowFast)
            detected = "pyslowfast";
        else if (naming == VideoNaming.Mmaction)
            detected = "mmaction2";
        else
            detected = "torchvision";
        Require(checkpoint, requested, detected, detected + (naming == VideoNaming.Caffe2 ? " (Caffe2 blob names)" : ""));
        if (wrapper is not null)
            state.Notes.Insert(0, $"read the tensors under '{wrapper}'");
        var weights = VideoWeights.Read(state, naming);
        var derivation = new Derivation(checkpoint.Path);
        if (weights is null)
            return new MappedModel(detected, state) { Derivation = derivation };
        if (options.Inflate is not null && detected != "torchvision")
            throw new EngineException($"{checkpoint.Path}: --inflate applies to torchvision's 2D ImageNet ResNets, not {detected} checkpoints.");
        var config = EmbeddedConfig(checkpoint, detected);
        var choices = detected switch
        {
            "video-nonlocal-net" => Caffe2Rules.Derive(weights, options, derivation),
            "pyslowfast" => PySlowFastRules.Derive(weights, config, options, derivation),
            "mmaction2" => MmactionRules.Derive(weights, config, options, derivation),
            _ => TorchvisionRules.Derive2D(options.Inflate, options, derivation),
        };
        return VideoResNetMapper.Map(state, naming, weights, choices, derivation, options.Inflate);
    }

    /// <summary>
    /// The configuration the checkpoint carries, parsed as data: PySlowFast's YAML `cfg`
    /// (slowfast/utils/checkpoint.py save_checkpoint), mmaction2 1.x `meta.cfg` (mmengine Runner.save_checkpoint)
    /// or 0.x `meta.config` (mmcv), both Config.pretty_text. Null when the file has none.
    /// </summary>
    private static FileConfig? EmbeddedConfig(Checkpoint checkpoint, string dialect)
    {
        if (checkpoint.Root is not PyDict root)
            return null;
        if (dialect == "pyslowfast" && PickleGlobals.AsConfigText(root["cfg"]) is { Length: > 0 } yaml)
            return new FileConfig(YamlConfig.Parse(yaml, $"{checkpoint.Path}: cfg"), "cfg", checkpoint.Path);
        if (dialect == "mmaction2" && root["meta"] is PyDict meta)
        {
            foreach (var key in new[] { "cfg", "config" })
            {
                if (PickleGlobals.AsConfigText(meta[key]) is { Length: > 0 } text)
                    return new FileConfig(PythonLiteralConfig.Parse(text, $"{checkpoint.Path}: meta.{key}"), $"meta.{key}", checkpoint.Path);
            }
        }
        return null;
    }

    private static void Require(Checkpoint checkpoint, string? requested, string detected, string naming)
    {
        if (requested is not null && requested != detected)
            throw new EngineException($"{checkpoint.Path}: --dialect {requested}, but the keys use {naming} names.");
    }

    /// <summary>The state dict of a checkpoint and the wrapper key it sat under (null for a bare one).</summary>
    public static (StateDict State, string? Wrapper) Unwrap(Checkpoint checkpoint)
    {
        var root = checkpoint.Root;
        if (root is PyRefused refused)
            throw new EngineException($"{checkpoint.Path}: the pickle calls {refused.Global}, which is not on the allow-list of checkpoint globals; refused.");
        if (root is not PyDict dict)
            throw new EngineException($"{checkpoint.Path}: the checkpoint holds a {PickleGlobals.TypeName(root)}, expected a dict of tensors.");
        string? wrapper = null;
        PyDict tensors = dict;
        foreach (var candidate in new[] { "blobs", "model_state", "state_dict", "model" })
        {
            // A bare {"model": ...} is detectron2's when it holds detectron2's keys (fvcore Checkpointer.save with nothing else to save).
            if (dict.TryGetValue(candidate, out var inner) && inner is PyDict innerDict
                && (candidate != "model" || dict.TryGetValue("__author__", out _) || dict.Count > 1 || innerDict.TryGetValue(Detectron2Probe, out _)))
            {
                wrapper = candidate;
                tensors = innerDict;
                break;
            }
        }
        var state = new StateDict(checkpoint.Path);
        if (wrapper is not null)
        {
            foreach (var (key, value) in dict.Items)
            {
                if (!Equals(key, wrapper))
                    state.Skipped.Add($"{KeyText(key)} ({Describe(value)}{(_trainingState.Contains(KeyText(key)) ? ", training state" : "")})");
            }
        }
        var keys = tensors.Items.Select(i => KeyText(i.Key)).ToList();
        // mmaction2 / DataParallel training wraps the model in `module.`.
        var stripModule = keys.Count > 0 && keys.All(k => k.StartsWith("module.", StringComparison.Ordinal));
        if (stripModule)
            state.Notes.Add("stripped the 'module.' prefix from every key");
        foreach (var (key, value) in tensors.Items)
        {
            var name = KeyText(key);
            if (stripModule)
                name = name["module.".Length..];
            switch (value)
            {
                case CheckpointTensor t:
                    state.Add(name, t);
                    break;
                case NumpyArray { Tensor: { } a }:
                    state.Add(name, a);
                    break;
                case PyRefused r:
                    throw new EngineException($"{checkpoint.Path}: key '{name}' is built by {r.Global}, which is not on the allow-list of checkpoint globals; refused.");
                default:
                    state.Skipped.Add($"{name} ({Describe(value)}{(_trainingState.Contains(name) ? ", training state" : "")})");
                    break;
            }
        }
        return (state, wrapper);
    }

    private static string KeyText(object key) => PickleGlobals.AsText(key) ?? key.ToString() ?? "?";

    /// <summary>A short description of a skipped value, naming any refused global inside it.</summary>
    private static string Describe(object? value)
    {
        var refused = FindRefused(value);
        if (refused is null)
            return PickleGlobals.TypeName(value);
        var what = value is PyRefused ? $"a {refused} object" : $"{PickleGlobals.TypeName(value)} holding {refused} objects";
        return $"{what}, a class outside the allow-list, so nothing of it was loaded";
    }

    /// <summary>The first refused global inside a value; each object is visited once, so shared and cyclic structures cost their size.</summary>
    private static string? FindRefused(object? value)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(value);
        while (pending.Count > 0)
        {
            var item = pending.Pop();
            if (item is null || !seen.Add(item))
                continue;
            switch (item)
            {
                case PyRefused r:
                    return r.Global;
                case PyDict d:
                    foreach (var i in d.Items)
                        pending.Push(i.Value);
                    break;
                case List<object?> l:
                    l.ForEach(pending.Push);
                    break;
                case object?[] t:
                    Array.ForEach(t, pending.Push);
                    break;
            }
        }
        return null;
    }
}
