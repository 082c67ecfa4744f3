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

    /// <summary>Skips the bookkeeping tensors every family carries: BN batch counters and optimizer momenta.</summary>
    public void SkipTrainingState()
    {
        foreach (var key in _tensors.Select(t => t.Key).ToList())
        {
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                Skip(key, "BN batch counter");
            else if (key.EndsWith("_momentum", StringComparison.Ordinal))
                Skip(key, "optimizer momentum");
            else if (key is "lr" or "model_iter")
                Skip(key, "training state");
        }
    }
}
