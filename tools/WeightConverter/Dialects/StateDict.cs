using Engine;
using WeightConverter.Containers;

namespace WeightConverter.Dialects;

/// <summary>
/// The named tensors a dialect maps, with bookkeeping: which keys the mapping took, which it asked
/// for and did not find, and what was skipped on the way (non-tensor entries, training extras).
/// </summary>
internal sealed class StateDict(string path)
{
    private readonly List<KeyValuePair<string, CheckpointTensor>> _tensors = [];
    private readonly Dictionary<string, CheckpointTensor> _byName = [];
    private readonly HashSet<string> _taken = [];
    private readonly List<string> _missing = [];
    private int _skippedTensors;

    public string Path { get; } = path;

    public IReadOnlyList<KeyValuePair<string, CheckpointTensor>> Tensors => _tensors;

    /// <summary>Entries not read, each with the reason ("epoch (int)", "optimizer_state: training state").</summary>
    public List<string> Skipped { get; } = [];

    public IReadOnlyList<string> Missing => _missing;

    /// <summary>How the tensors were found (the wrapper key, a stripped prefix).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Tensors taken into the package (skipped ones not counted).</summary>
    public int MappedCount => _taken.Count - _skippedTensors;

    public void Add(string key, CheckpointTensor tensor)
    {
        if (!_byName.TryAdd(key, tensor))
            throw new EngineException($"{Path}: key '{key}' appears twice.");
        _tensors.Add(new(key, tensor));
    }

    public bool Has(string? key) => key is not null && _byName.ContainsKey(key);

    public long[]? ShapeOf(string? key) => key is not null && _byName.TryGetValue(key, out var t) ? t.Shape : null;

    /// <summary>The tensor named <paramref name="key"/>, marked as used; a missing one is recorded and null returned.</summary>
    public CheckpointTensor? Take(string key)
    {
        if (_byName.TryGetValue(key, out var t))
        {
            _taken.Add(key);
            return t;
        }
        if (!_missing.Contains(key))
            _missing.Add(key);
        return null;
    }

    /// <summary>Marks a present key as deliberately not needed (BN counters, optimizer momenta).</summary>
    public void Skip(string key, string reason)
    {
        if (_taken.Add(key))
        {
            _skippedTensors++;
            Skipped.Add($"{key} ({reason})");
        }
    }

    /// <summary>Tensors nobody took or skipped: keys this converter does not understand.</summary>
    public IEnumerable<string> Unknown() => _tensors.Select(t => t.Key).Where(k => !_taken.Contains(k));

    /// <summary>Tensors deliberately not mapped (BN counters, optimizer momenta, normalisation buffers).</summary>
    public int SkippedTensorCount => _skippedTensors;

    /// <summary>Skips the bookkeeping tensors every family carries, one summary line per kind: BN batch counters and optimizer momenta.</summary>
    public void SkipTrainingState()
    {
        foreach (var (suffix, reason) in new[] { ("num_batches_tracked", "BN batch counters"), ("_momentum", "optimizer momenta") })
        {
            var keys = _tensors.Select(t => t.Key).Where(k => k.EndsWith(suffix, StringComparison.Ordinal) && !_taken.Contains(k)).ToList();
            foreach (var key in keys)
            {
                _taken.Add(key);
                _skippedTensors++;
            }
            if (keys.Count > 0)
                Skipped.Add($"{keys.Count} {reason} ('{keys[0]}'{(keys.Count > 1 ? ", ..." : "")})");
        }
        foreach (var key in new[] { "lr", "model_iter" })
        {
            if (Has(key))
                Skip(key, "training state");
        }
    }
}
