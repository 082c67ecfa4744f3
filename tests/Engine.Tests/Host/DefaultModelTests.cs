using System.Text.Json;
using Engine.Contracts;
using Engine.Host;
using Engine.Models;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>
/// The trained default model (models/default, converted into nonlocal-action's folder by the build)
/// through the real path: the synthetic scene's frames, the host's preprocess, the converted network
/// and the plugin's interpretation. Expected values: tests/fixtures/gen_demo.py (torch on the committed checkpoint).
/// </summary>
public sealed class DefaultModelTests(GpuFixture fixture) : GpuTest(fixture), IDisposable
{
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("engine-demo-");

    [Fact]
    public void Its_accuracy_on_the_held_out_synthetic_clips_equals_torchs_within_one_clip()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("demo"), "heldout.json")));
        var info = doc.RootElement;
        int Get(string name) => info.GetProperty(name).GetInt32();
        var (seed, count, width, height, frames, rate) = (Get("seed"), Get("clips"), Get("width"), Get("height"), Get("frames"), Get("sampling_rate"));
        var torchProbs = Fixtures.Npy("demo", "heldout_probs").ToFloats();
        var classes = info.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        // The same clips `engine synth` gave torch: one per action of the held-out timeline.
        var scene = SyntheticScene.Random(width, height, seed, count);
        var starts = scene.ClipStarts(frames, rate, seed);
        Assert.Equal(info.GetProperty("start_frames").EnumerateArray().Select(e => e.GetInt32()), starts);

        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-action");
        var plugin = loaded.Plugin;
        var model = PackageMetadata.Read(loaded.Manifest.DefaultModel!).ToModelInfo();
        Assert.Equal(SceneActions.Labels, model.Labels);
        Assert.Equal((frames, rate), (model.Frames, model.SamplingRate));
        // The clip is fed sample by sample below, so the ring takes every frame it is given.
        var parameters = PluginSettings.Resolve("nonlocal-action", plugin.Parameters, null, ["top_k=10", "sampling_rate=1"]);
        var node = Assert.Single(plugin.Configure(new PluginContext(parameters, model, loaded.Manifest.Directory, _ => { })));
        using var clips = new ClipBuffer(Device, node.Input.Clip, width, height);
        using var builder = new NetworkBuilder(Device, clips.ClipShape, null, "nonlocal-action");
        plugin.Build(node, builder);
        using var network = builder.Compile();
        using var gpu = new GpuFrame(Device, width, height);
        var ring = new FrameRing(width, height, buffers: 2);

        int engineCorrect = 0, torchCorrect = 0, disagreements = 0;
        var worst = 0.0;
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < frames; k++)
            {
                var f = ring.Rent();
                scene.Render(starts[i] + k * rate, f.Pixels);
                ring.Publish(f);
                var frame = ring.Take(TimeSpan.FromSeconds(1))!;
                Device.Run(list =>
                {
                    gpu.Write(frame, list);
                    clips.RecordSample(list, gpu, frame);
                });
                ring.Release(frame);
            }
            clips.TakeClip(network.Tensor(builder.InputName));
            network.Submit();
            var probs = NetworkRunner.ReadOutputs(network)["probabilities"].Values;
            var expected = torchProbs.AsSpan(i * 10, 10).ToArray();
            var engineTop = Array.IndexOf(probs, probs.Max());
            var torchTop = Array.IndexOf(expected, expected.Max());
            engineCorrect += engineTop == classes[i] ? 1 : 0;
            torchCorrect += torchTop == classes[i] ? 1 : 0;
            disagreements += engineTop != torchTop ? 1 : 0;
            for (var c = 0; c < 10; c++)
                worst = Math.Max(worst, Math.Abs(probs[c] - expected[c]));
        }
        Assert.Equal(Get("torch_correct"), torchCorrect);
        Assert.True(Math.Abs(engineCorrect - torchCorrect) <= 1, $"engine {engineCorrect}/{count} vs torch {torchCorrect}/{count} clips right");
        Assert.True(disagreements <= 1, $"engine and torch disagree on the top-1 action of {disagreements} clips");
        // The frames go through the host's resize (checked to 1e-4 against torch) before the network.
        Assert.True(worst <= 2e-3, $"probabilities differ from torch by up to {worst}");
    }

    [Fact]
    public void A_demo_like_run_agrees_with_the_scripted_actions_on_at_least_90_percent_of_segments()
    {
        // The demo's scene (synthetic, seed 1, 320x240) read without dropping a frame, a prediction every
        // 12 frames (fewer than the 17 frames any action leaves for a whole clip, so every segment gets one).
        var json = Path.Combine(_out.FullName, "predictions.jsonl");
        using var source = new SyntheticSource(new SourceOptions { AsFastAsPossible = true });
        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-action");
        var model = PackageMetadata.Read(loaded.Manifest.DefaultModel!).ToModelInfo();
        var presenters = new IPresenter[] { new JsonLinesPresenter(json) };
        using (var session = TestHosts.Single(Device, Device, source, [loaded], presenters, new LiveOptions { Frames = 1500, Parameters = ["every=12"] }))
        {
            var summary = session.Run().Single();
            Assert.Empty(summary.DisabledPlugins);
        }
        presenters[0].Dispose();

        var span = (model.Frames!.Value - 1) * model.SamplingRate!.Value + 1;
        var agreement = SceneAgreement.Score(source.Scene, JsonLinesPresenter.TopLabels(json, "nonlocal-action"), span);
        Assert.True(agreement.Segments >= 18, $"only {agreement.Segments} segments were scored: {agreement}");
        Assert.True(agreement.Fraction >= 0.9, agreement.ToString());
    }

    public new void Dispose()
    {
        base.Dispose();
        _out.Delete(recursive: true);
    }
}
