using System.Text.Json;
using Engine.Contracts;

namespace {{Name}}.Tests;

/// <summary>
/// The plugin without a GPU: its manifest, parameters, Configure, the network Build asks for, and
/// Interpret on synthetic results. The kernel itself runs in the host: see README.md.
/// </summary>
public sealed class {{Name}}PluginTests
{
    private static readonly string _folder = FindPluginFolder();

    private static Dictionary<string, string> Defaults(IPlugin plugin) => plugin.Parameters.ToDictionary(p => p.Name, p => p.Default);

    private static NetworkResult Result(float[] stats) =>
        new(7, new Dictionary<string, OutputTensor> { [ChannelStatsHead.Output] = new([1, 8], stats) }, [RegionF.Full]);

    [Fact]
    public void The_manifest_names_this_plugin_and_accepts_the_contracts_it_was_built_against()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "plugin.json")));
        var root = document.RootElement;
        Assert.Equal(typeof({{Name}}Plugin).FullName, root.GetProperty("type").GetString());
        Assert.Equal($"bin/{typeof({{Name}}Plugin).Assembly.GetName().Name}.dll", root.GetProperty("assembly").GetString());
        Assert.True(VersionRange.TryParse(root.GetProperty("api").GetString(), out var range, out var error), error);
        Assert.True(range!.Contains(PluginApi.Version), $"api {range} does not include the contracts' {PluginApi.Version}");
        Assert.True(File.Exists(Path.Combine(_folder, root.GetProperty("shaders").GetString()!, ChannelStatsHead.Shader)));
    }

    [Fact]
    public void Every_parameter_default_is_valid()
    {
        Assert.All(new {{Name}}Plugin().Parameters, p => Assert.Null(p.Validate(p.Default)));
    }

    [Fact]
    public void Configure_asks_for_one_clip_node_with_the_geometry_of_the_parameters()
    {
        var plugin = new {{Name}}Plugin();
        var values = Defaults(plugin);
        values["frames"] = "4";
        values["size"] = "32";
        var spec = Assert.Single(plugin.Configure(new PluginContext(new ParameterValues(values), null, _folder, _ => { })));
        Assert.Equal((4, 32, 32), (spec.Input.Clip.Frames, spec.Input.Clip.ShortSide, spec.Input.Clip.Crop));
        Assert.Equal([OutputKind.Scores], spec.Outputs);
    }

    [Fact]
    public void Build_runs_the_kernel_over_the_whole_batch_and_marks_its_output()
    {
        var (network, record) = RecordingNetwork.Create([3, 4, 16, 16, 4]);
        ChannelStatsHead.Build(network);
        var kernel = Assert.Single(record.Kernels);
        Assert.Equal(ChannelStatsHead.Shader, kernel.Shader);
        Assert.Equal([3, 8], kernel.OutputShape);
        Assert.Equal([network.Input], kernel.Inputs);
        Assert.Equal([3u, 4u, 256u], kernel.Push);
        Assert.True(kernel.Groups.X * 8 >= 2 * 3, $"{kernel.Groups.X} workgroups of 8 cover fewer than 6 invocations");
        Assert.Equal(ChannelStatsHead.Output, Assert.Single(record.Outputs).Key);
    }

    [Fact]
    public void Interpret_ranks_channels_by_their_share_of_the_motion_energy()
    {
        var plugin = new {{Name}}Plugin();
        var spec = Assert.Single(plugin.Configure(new PluginContext(new ParameterValues(Defaults(plugin)), null, _folder, _ => { })));
        // Mostly red, but green changes most.
        var topk = plugin.Interpret(spec, Result([0.9f, 0.1f, 0.1f, 0, 0.01f, 0.06f, 0.03f, 0])).TopK;
        Assert.Equal(["green", "blue", "red"], topk.Select(t => t.Label));
        Assert.Equal(0.6, topk[0].Score, 1e-6);
        Assert.Equal(1.0, topk.Sum(t => t.Score), 1e-6);
    }

    [Fact]
    public void A_still_clip_is_ranked_by_its_mean_colour()
    {
        var topk = ChannelStatsHead.Interpret(Result([0.2f, 0.1f, 0.7f, 0, 0, 0, 0, 0]), topK: 1);
        Assert.Equal("blue", Assert.Single(topk).Label);
        Assert.Equal(0.7, topk[0].Score, 1e-6);
    }

    private static string FindPluginFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "plugin.json")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no plugin.json above {AppContext.BaseDirectory}");
    }
}
