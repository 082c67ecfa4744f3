using System.Text.Json;
using Engine.Ops;

namespace Engine.Models;

/// <summary>
/// Reads the entries of a package's <c>architecture.nonlocal</c> list (docs/weight-package.md) into
/// the typed <see cref="NonLocalOptions"/> the op takes; the only reader of that JSON.
/// </summary>
public static class NonLocalJson
{
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
}
