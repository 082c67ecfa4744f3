using Engine.Gpu;
using Engine.Graph;

namespace Engine.Tuning;

/// <summary>
/// A node whose op can run more than one way (<see cref="Ops.IOp.Variant"/>): it names its shape
/// independently of the node's name, so every layer of one shape shares one measurement and one
/// choice, and lists the variants worth timing for it, today's rule first. A compile runs the variant
/// <see cref="CompileOptions.Variants"/> gives for the key, falling back to today's rule.
/// </summary>
public interface ITunableNode
{
    /// <summary>
    /// The shape key: the op's kind and parameters, the input shape and, for fp16 weights, their storage
    /// (<see cref="CompileOptions.TuningKeySuffix"/>: another kernel build, timed on its own), never the node's name.
    /// </summary>
    string TuningKey(IReadOnlyList<TensorSpec> inputs, CompileOptions options);

    /// <summary>
    /// The variants that can run on <paramref name="device"/> for these inputs, as <see cref="Ops.IOp.Variant"/>
    /// text, distinct, the one today's rules pick (under <paramref name="options"/>) first.
    /// </summary>
    IReadOnlyList<string> Candidates(Device device, IReadOnlyList<TensorSpec> inputs, CompileOptions options);
}
