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
    /// True when a recording made now would differ from the last one (a plugin shader was reloaded);
    /// a compiled graph then records its list again between runs.
    /// </summary>
    bool IsStale => false;

    /// <summary>Which way the op runs when it can run more than one (a short stable string such as <c>attention fused q16 k64</c>); empty otherwise.</summary>
    string Variant => "";
}
