using Engine.Contracts;

namespace TestPlugins;

/// <summary>
/// A plugin that fails at the stage its one parameter names (configure, build or interpret), to test
/// that the host disables it and runs on; how it fails is the subclass's <see cref="Fail"/>.
/// </summary>
public abstract class FaultyPlugin(string parameter, string description) : IPlugin
{
    private string _stage = "interpret";

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Choice(parameter, description, "interpret", "configure", "build", "interpret"),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        _stage = context.Parameters[parameter];
        FailIn("configure");
        var geometry = new ClipGeometry(1, 1, 16, 16, new Normalization(1.0, [0, 0, 0], [1, 1, 1]));
        return [new NetworkSpec("node", new NetworkInput(geometry), [OutputKind.Scores])];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        FailIn("build");
        var input = network.Input;
        var texels = input.Shape[1] * input.Shape[2] * input.Shape[3];
        network.Output("mean", network.Kernel("clip_mean.comp", [input.Shape[0], 4], [input], [(uint)input.Shape[0], (uint)texels], (1, 1, 1)));
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        FailIn("interpret");
        return DisplayMetadata.Empty;
    }

    protected abstract void Fail(string stage);

    private void FailIn(string stage)
    {
        if (_stage == stage)
            Fail(stage);
    }
}
