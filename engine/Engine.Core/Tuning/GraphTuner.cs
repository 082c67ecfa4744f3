using Engine.Gpu;
using Engine.Graph;

namespace Engine.Tuning;

/// <summary>
/// Tunes the tunable nodes of a graph (each distinct shape once, in the order of its first node) on a
/// device, records the results in the device's <see cref="TuningCache"/> and writes it.
/// </summary>
public static class GraphTuner
{
    /// <summary>
    /// Tunes every shape of <paramref name="graph"/>'s tunable nodes (with <paramref name="untunedOnly"/>,
    /// only those the cache lacks), calling <paramref name="tuned"/> after each, then saves the cache.
    /// </summary>
    public static IReadOnlyList<TunedShape> Tune(Device device, GraphBuilder graph, CompileOptions baseline, bool untunedOnly,
        int rounds = Tuner.DefaultRounds, double margin = Tuner.DefaultMargin, Action<TunedShape>? tuned = null)
    {
        var specs = graph.Specs();
        return Tune(device, graph.Nodes.Select(n => (n, (IReadOnlyList<TensorSpec>)n.Inputs.Select(t => specs[t]).ToArray())), baseline, untunedOnly, rounds, margin, tuned);
    }

    internal static IReadOnlyList<TunedShape> Tune(Device device, IEnumerable<(Node Node, IReadOnlyList<TensorSpec> Inputs)> nodes, CompileOptions baseline,
        bool untunedOnly, int rounds, double margin, Action<TunedShape>? tuned)
    {
        var cache = device.Tuning;
        var shapes = nodes.Where(n => n.Node is ITunableNode)
            .GroupBy(n => ((ITunableNode)n.Node).TuningKey(n.Inputs, baseline))
            .Where(g => !untunedOnly || !cache.Contains(g.Key))
            .ToList();
        var results = new List<TunedShape>();
        foreach (var shape in shapes)
        {
            var (node, inputs) = shape.First();
            var candidates = ((ITunableNode)node).Candidates(device, inputs, baseline);
            // One way to run (a grouped convolution): nothing to measure or store.
            if (candidates.Count == 1)
                continue;
            TuningEntry entry;
            using (var timer = new GraphCandidateTimer(device, node, inputs, candidates, baseline))
                entry = Tuner.Tune(timer.Candidates, timer, rounds, margin);
            cache.Set(shape.Key, entry);
            var result = new TunedShape(shape.Key, node.Name, shape.Count(), entry);
            results.Add(result);
            tuned?.Invoke(result);
        }
        if (results.Count > 0)
            cache.Save();
        return results;
    }
}
