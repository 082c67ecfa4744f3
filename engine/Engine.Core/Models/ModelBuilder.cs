using Engine.Graph;

namespace Engine.Models;

/// <summary>Chooses the builder for a package's architecture kind, so hosts need no family-specific code.</summary>
public static class ModelBuilder
{
    /// <summary>The network of <paramref name="package"/> for clips of batch x frames x height x width.</summary>
    public static GraphBuilder Build(WeightPackage package, int batch, int frames, int height, int width) => package.Kind switch
    {
        VideoResNetArchitecture.KindName => VideoResNetBuilder.Build(package, batch, frames, height, width),
        var kind => throw new EngineException($"{package.Path}: architecture kind '{kind}' has no builder in this engine (known: {VideoResNetArchitecture.KindName})."),
    };
}
