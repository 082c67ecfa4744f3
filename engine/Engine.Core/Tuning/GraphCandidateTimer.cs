using System.Diagnostics;
using Engine.Gpu;
using Engine.Graph;
using Microsoft.Extensions.Logging;

namespace Engine.Tuning;

/// <summary>
/// Times a tunable node's candidates on the device: each candidate is the node alone compiled as a
/// one-node graph on the node's real input and output shapes (its own scratch tensors, its own weights
/// packed for the variant, its own command list), filled with random inputs and run once to warm up
/// (the first dispatch of a pipeline pays the JIT on lavapipe). A run is one submission of that list
/// without profiling, timed on the host from submit to completion: a timestamp after every dispatch
/// has a measurable cost on lavapipe (docs/bench-log.md, 2026-12-05) and would count against variants of
/// several dispatches (Winograd has 3); the submission overhead is the same for every candidate. On a
/// CPU device each run also reports the process's CPU time over it (the device's workers are its threads).
/// A candidate whose op reports another variant than its label (its scratch did not fit, and it fell
/// back) is dropped with a log line: timing it would time another candidate under its name.
/// </summary>
public sealed partial class GraphCandidateTimer : ICandidateTimer, IDisposable
{
    private readonly List<CompiledGraph> _graphs = [];
    private readonly bool _cpuDevice;

    public GraphCandidateTimer(Device device, Node node, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<string> candidates, CompileOptions baseline)
    {
        var key = ((ITunableNode)node).TuningKey(inputs, baseline);
        _cpuDevice = device.Info.Type == Interop.VkPhysicalDeviceType.Cpu;
        var random = new Random(1);
        try
        {
            foreach (var candidate in candidates)
            {
                var graph = new GraphBuilder($"tune {node.Name} {candidate}");
                var declared = new HashSet<string>();
                for (var i = 0; i < node.Inputs.Count; i++)
                {
                    if (declared.Add(node.Inputs[i]))
                        graph.Input(node.Inputs[i], inputs[i]);
                }
                graph.Add(node);
                graph.Output(node.Outputs[0]);
                var compiled = graph.Compile(device, baseline with
                {
                    Profile = false,
                    Keep = [],
                    Variants = new Dictionary<string, string> { [key] = candidate },
                });
                var runs = compiled.Variants.GetValueOrDefault(node.Name, "");
                // The default (first) is the baseline whatever it reports; another must run as labelled.
                if (_graphs.Count > 0 && runs != candidate)
                {
                    Log.Dropped(device.Logger, key, candidate, runs);
                    compiled.Dispose();
                    continue;
                }
                _graphs.Add(compiled);
                Candidates.Add(candidate);
                foreach (var input in declared)
                {
                    var values = new float[compiled.Spec(input).Shape.ElementCount];
                    foreach (ref var v in values.AsSpan())
                        v = random.NextSingle() * 2 - 1;
                    compiled.SetInput(input, values);
                }
                compiled.Run();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The candidates kept, in the order given (the default first): <see cref="Run"/> indexes these.</summary>
    public List<string> Candidates { get; } = [];

    public CandidateRun Run(int candidate)
    {
        var cpu = _cpuDevice ? Statistics.ProcessCpuTime().TotalMilliseconds : double.NaN;
        var clock = Stopwatch.StartNew();
        _graphs[candidate].Run();
        var ms = clock.Elapsed.TotalMilliseconds;
        return new CandidateRun(ms, _cpuDevice ? Statistics.ProcessCpuTime().TotalMilliseconds - cpu : double.NaN);
    }

    public void Dispose()
    {
        foreach (var graph in _graphs)
            graph.Dispose();
        _graphs.Clear();
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Tuning {Key}: candidate {Candidate} not timed, its op runs {Variant} instead")]
        public static partial void Dropped(ILogger logger, string key, string candidate, string variant);
    }
}
