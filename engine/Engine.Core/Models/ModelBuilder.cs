using Engine.Graph;

namespace Engine.Models;

/// <summary>Chooses the builder for a package's architecture kind, so hosts need no family-specific code.</summary>
public static class ModelBuilder
{
    /// <summary>
    /// The network of <paramref name="package"/> for clips of batch x frames x height x width. With
    /// <paramref name="channelsLastInput"/> the graph input is the engine's activation layout itself
    /// (the live host's clip buffer fills it directly) instead of a PyTorch (N, C, T, H, W) clip.
    /// <paramref name="attentionBlock"/> adds one non-local block's attention map as an output, for a
    /// query the caller writes before each run (<see cref="VideoResNetBuilder.AttentionQuery"/>).
    /// </summary>
    public static GraphBuilder Build(WeightPackage package, int batch, int frames, int height, int width, bool channelsLastInput = false,
        int? attentionBlock = null) => package.Metadata.Kind switch
        {
            VideoResNetArchitecture.KindName => VideoResNetBuilder.Build(package, batch, frames, height, width, channelsLastInput, attentionBlock),
            var kind when Detection.DetectorArchitecture.IsDetector(kind) => Detection.DetectorBuilder.Build(package, height, width, channelsLastInput: channelsLastInput),
            var kind => throw new EngineException($"{package.Path}: architecture kind '{kind}' has no builder in this engine (known: {VideoResNetArchitecture.KindName}, {Detection.DetectorArchitecture.MaskKind}, {Detection.DetectorArchitecture.BoxKind}, {Detection.DetectorArchitecture.KeypointKind})."),
        };
}
