using Engine.Contracts;

namespace TestPlugins;

/// <summary>A plugin that throws at the stage named by `throw_in` (configure, build or interpret), to test that the host disables it and runs on.</summary>
public sealed class ThrowingPlugin : IPlugin
{
    private string _stage = "interpret";

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Choice("throw_in", "the stage that throws", "interpret", "configure", "build", "interpret"),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        _stage = context.Parameters["throw_in"];
        Throw("configure");
        var geometry = new ClipGeometry(1, 1, 16, 16, new Normalization(1.0, [0, 0, 0], [1, 1, 1]));
        return [new NetworkSpec("node", new NetworkInput(geometry), [OutputKind.Scores])];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        Throw("build");
        var input = network.Input;
        var texels = input.Shape[1] * input.Shape[2] * input.Shape[3];
        network.Output("mean", network.Kernel("clip_mean.comp", [input.Shape[0], 4], [input], [(uint)input.Shape[0], (uint)texels], (1, 1, 1)));
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        Throw("interpret");
        return DisplayMetadata.Empty;
    }

    private void Throw(string stage)
    {
        if (_stage == stage)
            throw new InvalidOperationException($"test plugin failure in {stage}");
    }
}
