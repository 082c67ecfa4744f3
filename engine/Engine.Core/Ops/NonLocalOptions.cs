namespace Engine.Ops;

/// <summary>
/// A non-local block's variant, field for field the package's <c>nonlocal</c> JSON entry
/// (docs/weight-package.md; read by Models.NonLocalJson). Validated against the input shape by <see cref="NonLocalBlock"/>.
/// </summary>
/// <param name="Instantiation">The pairwise function f.</param>
/// <param name="Inner">Width of theta, phi and g (any positive value).</param>
/// <param name="Scale">Divide the logits by sqrt(inner); embedded Gaussian only, ignored otherwise as in every family.</param>
/// <param name="Subsample">Where phi and g are max-pooled.</param>
/// <param name="Pool">Max-pool kernel = stride (t, h, w) on phi and g; ignored when <paramref name="Subsample"/> is none.</param>
/// <param name="Mode">Which positions a query attends to.</param>
/// <param name="Group">Frames per temporal group (0: no groups).</param>
/// <param name="Output">What followed the out conv (folded into it by the converter).</param>
public sealed record NonLocalOptions(
    NonLocalInstantiation Instantiation,
    bool Scale,
    int Inner,
    NonLocalSubsample Subsample,
    IReadOnlyList<int> Pool,
    NonLocalMode Mode = NonLocalMode.SpaceTime,
    int Group = 0,
    NonLocalOutput Output = NonLocalOutput.BatchNorm)
{
    /// <summary>The pool kernel actually applied: (1, 1, 1) without subsampling.</summary>
    public (int T, int H, int W) PoolKernel => Subsample == NonLocalSubsample.None ? (1, 1, 1) : (Pool[0], Pool[1], Pool[2]);

    /// <summary>Checks the options on their own (the shape checks are the block's).</summary>
    public void Validate()
    {
        if (Inner <= 0)
            throw new EngineException($"non-local: inner width {Inner} must be positive.");
        if (Pool.Count != 3 || Pool.Any(p => p <= 0))
            throw new EngineException($"non-local: pool [{string.Join(", ", Pool)}] must be three positive sizes (t, h, w).");
        if (Group < 0)
            throw new EngineException($"non-local: group {Group} must be 0 (none) or a positive frame count.");
        if (Group > 0 && Mode != NonLocalMode.SpaceTime)
            throw new EngineException($"non-local: temporal groups need mode spacetime, not {Mode}.");
        var (pt, ph, pw) = PoolKernel;
        if (Mode == NonLocalMode.Space && pt != 1)
            throw new EngineException($"non-local: space-only attention cannot pool across frames (pool [{pt}, {ph}, {pw}]).");
        if (Mode == NonLocalMode.Time && (ph != 1 || pw != 1))
            throw new EngineException($"non-local: time-only attention cannot pool across positions (pool [{pt}, {ph}, {pw}]).");
        if (Group > 0 && Group % pt != 0)
            throw new EngineException($"non-local: group {Group} is not a multiple of the temporal pool {pt}.");
    }
}
