using Engine.Contracts;

namespace TestPlugins;

/// <summary>
/// A plugin with its own tiny network: mean colour of the clip (a plugin kernel), then a linear layer
/// scoring "red", "green", "blue" and "grey" by how much one channel dominates. Its expected output
/// follows from the input colours alone, so tests can check the whole path end to end.
/// </summary>
public sealed class ColourHeadPlugin : IPlugin
{
    public static readonly string[] Labels = ["red", "green", "blue", "grey"];

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Int("frames", "clip length T", 2, 1, 16),
        ParameterSpec.Int("every", "run every N frames (0 = when idle)", 0, 0, 1000),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        var geometry = new ClipGeometry(context.Parameters.Int("frames"), 1, 32, 32, new Normalization(1.0, [0, 0, 0], [1, 1, 1]));
        return [new NetworkSpec("colour", new NetworkInput(geometry), [OutputKind.Scores], context.Parameters.Int("every"))];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        var input = network.Input;
        var batch = input.Shape[0];
        var texels = input.Shape[1] * input.Shape[2] * input.Shape[3];
        var mean = network.Kernel("clip_mean.comp", [batch, 4], [input], [(uint)batch, (uint)texels], ((uint)(batch + 7) / 8, 1, 1));
        // Rows: input channels r, g, b, (zero); columns: classes. Grey wins when no channel dominates.
        float[] weight =
        [
            8, -4, -4, 0,
            -4, 8, -4, 0,
            -4, -4, 8, 0,
            0, 0, 0, 0,
        ];
        var w = network.Constant("weight", [4, 4], weight);
        var b = network.Constant("bias", [4], [0, 0, 0, 1]);
        network.Output("logits", network.Linear(mean, w, b));
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        var logits = result.Outputs["logits"].Values;
        var max = logits.Take(4).Max();
        var exp = logits.Take(4).Select(v => Math.Exp(v - max)).ToArray();
        var sum = exp.Sum();
        var topk = Enumerable.Range(0, 4).OrderByDescending(i => exp[i]).Select(i => new LabelScore(Labels[i], exp[i] / sum)).ToArray();
        return new DisplayMetadata(topk, [new BoxF(result.Crops[0], "crop", topk[0].Score)], [], null);
    }
}
