using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// An op bound to its tensors, in two moves: the constructor validates shapes and creates its
/// pipelines (errors name the op and the shapes, at graph-compile time), and <see cref="Record"/>
/// adds its dispatches to a command list, which inserts every barrier. Ops never allocate memory,
/// never submit and never insert barriers themselves.
/// </summary>
public interface IOp
{
    string Name { get; }

    /// <summary>Floating-point operations of one run (multiply-add = 2), for GFLOP/s reports.</summary>
    double Flops { get; }

    void Record(CommandList list);

    /// <summary>
    /// Which way the op runs when it can run more than one (a short stable string, e.g. `direct m16 n16`,
    /// `winograd f4`, `gemm m16 n8`, `attention fused q16 k64`): `engine bench` prints it per node, and the tuner's cache names
    /// its choices with the same strings. Empty for ops with one way.
    /// </summary>
    string Variant => "";

    /// <summary>
    /// True when a recording made now would differ from the last one (a plugin shader was reloaded);
    /// a compiled graph then records its list again between runs.
    /// </summary>
    bool IsStale => false;
}
