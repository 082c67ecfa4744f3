using System.Text.Json;

namespace Engine.Ops;

/// <summary>
/// A non-local block's variant, field for field the package's <c>nonlocal</c> JSON entry
/// (docs/weight-package.md). Validated against the input shape by <see cref="NonLocalBlock"/>.
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

    /// <summary>Reads one entry of the package's <c>architecture.nonlocal</c> list.</summary>
    public static NonLocalOptions Parse(JsonElement entry)
    {
        try
        {
            var pool = entry.TryGetProperty("pool", out var p) ? p.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [1, 1, 1];
            var options = new NonLocalOptions(
                entry.GetProperty("instantiation").GetString() switch
                {
                    "gaussian" => NonLocalInstantiation.Gaussian,
                    "embedded_gaussian" => NonLocalInstantiation.EmbeddedGaussian,
                    "dot_product" => NonLocalInstantiation.DotProduct,
                    "concatenation" => NonLocalInstantiation.Concatenation,
                    var s => throw new EngineException($"non-local instantiation '{s}' is not gaussian, embedded_gaussian, dot_product or concatenation."),
                },
                entry.TryGetProperty("scale", out var scale) && scale.GetBoolean(),
                entry.GetProperty("inner").GetInt32(),
                (entry.TryGetProperty("subsample", out var sub) ? sub.GetString() : "none") switch
                {
                    "none" => NonLocalSubsample.None,
                    "pool_then_conv" => NonLocalSubsample.PoolThenConv,
                    "conv_then_pool" => NonLocalSubsample.ConvThenPool,
                    var s => throw new EngineException($"non-local subsample '{s}' is not none, pool_then_conv or conv_then_pool."),
                },
                pool,
                (entry.TryGetProperty("mode", out var mode) ? mode.GetString() : "spacetime") switch
                {
                    "spacetime" => NonLocalMode.SpaceTime,
                    "space" => NonLocalMode.Space,
                    "time" => NonLocalMode.Time,
                    var s => throw new EngineException($"non-local mode '{s}' is not spacetime, space or time."),
                },
                entry.TryGetProperty("group", out var group) ? group.GetInt32() : 0,
                (entry.TryGetProperty("output", out var output) ? output.GetString() : "bn") switch
                {
                    "bn" => NonLocalOutput.BatchNorm,
                    "affine" => NonLocalOutput.Affine,
                    "none" => NonLocalOutput.None,
                    var s => throw new EngineException($"non-local output '{s}' is not bn, affine or none."),
                });
            options.Validate();
            return options;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new EngineException($"non-local entry {entry.GetRawText()}: {e.Message}");
        }
    }

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
