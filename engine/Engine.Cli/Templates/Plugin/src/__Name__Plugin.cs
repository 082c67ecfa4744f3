using Engine.Contracts;

namespace {{Name}};

/// <summary>
/// The {{Id}} plugin. The host calls, on its threads and never concurrently: <see cref="Configure"/>
/// with validated parameters (again when they change), <see cref="Build"/> once per network it returned,
/// then <see cref="Interpret"/> for every finished run. An exception from any of them disables the
/// plugin (the overlay shows why) while the host runs on.
/// </summary>
public sealed class {{Name}}Plugin : IPlugin
{
    private int _topK = 3;

    /// <summary>Defaults here; a settings file (--settings) and --param name=value override them, validated against these ranges.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Int("frames", "clip length T, in sampled frames", 8, 2, 32),
        ParameterSpec.Int("sampling_rate", "sample every r-th captured frame", 2, 1, 8),
        ParameterSpec.Int("size", "clip size: the short side is resized to this, then centre-cropped square", 64, 16, 256),
        ParameterSpec.Int("every", "run every N captured frames (0: as soon as the previous run is done)", 0, 0, 1000),
        ParameterSpec.Int("top_k", "labels shown", 3, 1, ChannelStatsHead.Channels.Length),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        var p = context.Parameters;
        _topK = p.Int("top_k");
        var clip = new ClipGeometry(p.Int("frames"), p.Int("sampling_rate"), p.Int("size"), p.Int("size"), ChannelStatsHead.Normalization);
        return [new NetworkSpec("stats", new NetworkInput(clip), [OutputKind.Scores], p.Int("every"))];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network) => ChannelStatsHead.Build(network);

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result) =>
        new(ChannelStatsHead.Interpret(result, _topK), [], [], null);
}
