using System.Diagnostics;
using Engine.Gpu;
using Engine.Host;
using Engine.Ops;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>
/// Hot reload of plugin shaders in a headless live run: colour-head (its clip_mean.comp feeds a
/// linear layer whose top label follows the mean colour) is copied to a folder the test edits while
/// the session runs.
/// </summary>
public sealed class ShaderReloadTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    private const string MeanLine = "o[n] = sum / float(p.texels);";
    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-reload-");

    /// <summary>Runs an action when a given frame is presented (on the frame thread, so the loop waits for it) and keeps predictions and images.</summary>
    private sealed class Script : IPresenter
    {
        private readonly Dictionary<long, Action> _actions = [];

        public List<(long Frame, string Label)> Predictions { get; } = [];

        public Dictionary<long, byte[]> Images { get; } = [];

        public void At(long frame, Action action) => _actions[frame] = action;

        public void Present(OverlayImage image, long frame)
        {
            Images[frame] = image.Download().ToArray();
            if (_actions.TryGetValue(frame, out var action))
                action();
        }

        public void Prediction(PredictionRecord record) => Predictions.Add((record.Frame, record.TopK[0].Label));

        public void Dispose()
        {
        }
    }

    /// <summary>A copy of colour-head to edit: its folder, its clip_mean.comp and that shader's original text.</summary>
    private (string Plugin, string Shader, string Original) CopyColourHead()
    {
        var from = Path.Combine(PluginCatalogTests.TestPlugins, "colour-head");
        var to = Path.Combine(_work.FullName, "colour-head");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var shader = Path.Combine(to, "shaders", "clip_mean.comp");
        return (to, shader, File.ReadAllText(shader));
    }

    private static void WaitFor(Func<bool> condition, string what, PluginShaders shaders)
    {
        var start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > _patience)
                throw new TimeoutException($"no {what} after {_patience.TotalSeconds} s ({shaders.Reloads} reloads, error: {shaders.Error ?? "none"})");
            Thread.Sleep(20);
        }
    }

    private static int ErrorPixels(byte[] image)
    {
        var error = OverlayComposer.ErrorColour;
        var hits = 0;
        for (var i = 0; i < image.Length / 4; i++)
        {
            if (image[i * 4 + 2] == (byte)(error >> 16) && image[i * 4 + 1] == (byte)(error >> 8) && image[i * 4] == (byte)error)
                hits++;
        }
        return hits;
    }

    [Fact]
    public void An_edited_shader_is_swapped_in_a_broken_one_keeps_the_old_pipeline_with_its_error_and_a_fix_recovers()
    {
        var (plugin, shader, original) = CopyColourHead();
        Assert.Contains(MeanLine, original);
        using var loaded = new PluginCatalog([plugin], NullLogger.Instance).Load("colour-head");
        using var source = new SyntheticSource(new SourceOptions { Width = 128, Height = 96, AsFastAsPossible = true, Seed = 3 });
        var script = new Script();
        using var session = TestHosts.Single(Device, Device, source, [loaded], [script], new LiveOptions { Frames = 40, WatchShaders = true });
        var runner = Assert.Single(session.LiveStreams[0].Plugins);
        Assert.True(runner.Shaders.Watching);

        string? error = null;
        script.At(10, () =>
        {
            File.WriteAllText(shader, original.Replace(MeanLine, "o[n] = sum / float(p.texels) + undefined_thing;", StringComparison.Ordinal));
            WaitFor(() => runner.Shaders.Error is not null, "compile error", runner.Shaders);
            error = runner.Shaders.Error;
        });
        script.At(20, () =>
        {
            var attempts = runner.Shaders.Reloads;
            // Every clip's mean becomes pure red: the head's top label must turn "red". (The clip stays read:
            // the compiler drops unused bindings, and bindings must stay numbered 0..n-1; colours are never negative.)
            File.WriteAllText(shader, original.Replace(MeanLine, "o[n] = vec4(1.0, 0.0, 0.0, 0.0) + min(sum, vec4(0.0));", StringComparison.Ordinal));
            WaitFor(() => runner.Shaders.Reloads > attempts && runner.Shaders.Error is null, "successful reload", runner.Shaders);
        });
        var summary = session.Run().Single();

        Assert.Empty(summary.DisabledPlugins);
        Assert.Equal(40, summary.Presented);
        Assert.NotNull(error);
        Assert.StartsWith($"shaders{Path.DirectorySeparatorChar}clip_mean.comp:21: error", error);
        Assert.Contains("undefined_thing", error);

        // Runs launched before the fix (frames up to 20) use the original or, while broken, the old pipeline.
        var before = script.Predictions.Where(p => p.Frame <= 10).ToArray();
        var broken = script.Predictions.Where(p => p.Frame is > 10 and <= 20).ToArray();
        var after = script.Predictions.Where(p => p.Frame > 20).ToArray();
        Assert.NotEmpty(before);
        Assert.True(broken.Length >= 3, $"{broken.Length} predictions while the shader was broken");
        Assert.All(before.Concat(broken), p => Assert.NotEqual("red", p.Label));
        Assert.True(after.Length >= 3, $"{after.Length} predictions after the fix");
        Assert.All(after, p => Assert.Equal("red", p.Label));
        Assert.True(runner.Networks[0].Graph.Rerecords >= 1);

        // The error is on the overlay while the shader is broken, and gone once it compiles.
        Assert.True(ErrorPixels(script.Images[15]) > 20, $"{ErrorPixels(script.Images[15])} error-coloured pixels while broken");
        Assert.Equal(0, ErrorPixels(script.Images[39]));
    }

    [Fact]
    public void A_compiled_network_records_again_after_a_reload_and_runs_the_new_shader()
    {
        var (plugin, shader, original) = CopyColourHead();
        using var shaders = new PluginShaders(Device, Path.Combine(plugin, "shaders"), plugin, watch: true, NullLogger.Instance);
        var clip = new Shape(1, 2, 4, 4, 4);
        using var builder = new NetworkBuilder(Device, clip, shaders, "colour");
        builder.Output("mean", builder.Kernel("clip_mean.comp", [1, 4], [builder.Input], [1, 32], (1, 1, 1)));
        using var network = builder.Compile();
        network.SetInput(builder.InputName, Enumerable.Repeat(0.5f, (int)clip.ElementCount).ToArray());
        network.Run();
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], network.Read("mean"));
        Assert.False(network.Refresh());

        File.WriteAllText(shader, original.Replace(MeanLine, "o[n] = vec4(1.0, 0.0, 0.0, 0.0) + min(sum, vec4(0.0));", StringComparison.Ordinal));
        WaitFor(() => shaders.Reloads > 0 && shaders.Error is null, "successful reload", shaders);
        network.Run();
        // The recorded list still runs the old pipeline until the network records again.
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], network.Read("mean"));
        var dispatches = network.DispatchCount;
        Assert.True(network.Refresh());
        Assert.Equal(1, network.Rerecords);
        Assert.Equal(dispatches, network.DispatchCount);
        network.Run();
        Assert.Equal([1f, 0f, 0f, 0f], network.Read("mean"));
        Assert.False(network.Refresh());
    }

    [Fact]
    public void A_reloaded_shader_with_other_bindings_keeps_the_old_pipeline_and_says_why()
    {
        var (plugin, shader, original) = CopyColourHead();
        using var shaders = new PluginShaders(Device, Path.Combine(plugin, "shaders"), plugin, watch: true, NullLogger.Instance);
        var compiled = shaders.Get("clip_mean.comp");
        using var clip = Device.CreateTensor("clip", new Shape(1, 2, 4, 4, 4));
        using var mean = Device.CreateTensor("mean", new Shape(1, 4));
        _ = new PluginKernel(compiled, [clip], mean, [1, 32], new Groups(1));
        Assert.Equal(2, compiled.Slots);
        var pipeline = compiled.Pipeline;
        var extra = original.Replace("layout(push_constant)", "layout(binding = 2) writeonly buffer Extra { float e[]; };\nlayout(push_constant)", StringComparison.Ordinal)
            .Replace(MeanLine, MeanLine + " e[n] = 1.0;", StringComparison.Ordinal);
        File.WriteAllText(shader, extra);
        WaitFor(() => shaders.Reloads > 0, "reload attempt", shaders);
        Assert.Same(pipeline, compiled.Pipeline);
        Assert.StartsWith($"shaders{Path.DirectorySeparatorChar}clip_mean.comp:0: error: binding 2 ('Extra') is new; its kernels bind 0..1", shaders.Error);
        Assert.Throws<EngineException>(() => shaders.Get("../plugin.json"));
    }

    public new void Dispose()
    {
        base.Dispose();
        _work.Delete(recursive: true);
    }
}
