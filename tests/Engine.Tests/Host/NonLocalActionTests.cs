using Engine.Contracts;
using Engine.Host;
using Engine.Models;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>The nonlocal-action plugin on a real package (tests/fixtures/gen_live.py: a tiny non-local I3D).</summary>
public sealed class NonLocalActionTests(GpuFixture fixture) : GpuTest(fixture)
{
    public static string TinyPackage => Path.Combine(Fixtures.Dir("live"), "tiny_nl_i3d.safetensors");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Its_top_k_and_attention_map_are_torch_values_for_a_preprocessed_clip_of_one_frame(bool attention)
    {
        var frameArray = Fixtures.Npy("live", "tiny_nl_i3d_frame");
        var expected = Fixtures.Npy("live", "tiny_nl_i3d_probs").ToFloats();
        var (h, w) = (frameArray.Shape[0], frameArray.Shape[1]);

        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-action");
        var plugin = loaded.Plugin;
        var parameters = PluginSettings.Resolve("nonlocal-action", plugin.Parameters, null, attention ? ["top_k=4", "sampling_rate=1", "attention_block=0"] : ["top_k=4", "sampling_rate=1"]);
        var model = PackageMetadata.Read(TinyPackage).ToModelInfo();
        Assert.Equal(SceneActions.Labels, model.Labels);
        var node = Assert.Single(plugin.Configure(new PluginContext(parameters, model, loaded.Manifest.Directory, _ => { })));
        Assert.Equal((4, 1, 40, 32), (node.Input.Clip.Frames, node.Input.Clip.SamplingRate, node.Input.Clip.ShortSide, node.Input.Clip.Crop));

        using var clips = new ClipBuffer(Device, node.Input.Clip, w, h);
        using var builder = new NetworkBuilder(Device, clips.ClipShape, null, "nonlocal-action");
        plugin.Build(node, builder);
        using var network = builder.Compile();
        using var gpu = new GpuFrame(Device, w, h);
        var ring = new FrameRing(w, h, buffers: 2);
        for (var t = 0; t < 4; t++)
        {
            var f = ring.Rent();
            frameArray.Data.CopyTo(f.Pixels, 0);
            ring.Publish(f);
            var frame = ring.Take(TimeSpan.FromSeconds(1))!;
            Device.Run(list =>
            {
                gpu.Write(frame, list);
                clips.RecordSample(list, gpu, frame);
            });
            ring.Release(frame);
        }
        Assert.True(clips.IsReady);
        clips.TakeClip(network.Tensor(builder.InputName));
        network.Submit();
        var metadata = plugin.Interpret(node, new NetworkResult(3, NetworkRunner.ReadOutputs(network), clips.CropRegions));

        var want = expected.Select((p, c) => (Label: SceneActions.Labels[c], Score: (double)p)).OrderByDescending(x => x.Score).Take(4).ToArray();
        Assert.Equal(want.Select(x => x.Label), metadata.TopK.Select(t => t.Label));
        for (var i = 0; i < 4; i++)
            Assert.True(Math.Abs(want[i].Score - metadata.TopK[i].Score) <= 1e-4, $"{want[i].Label}: {metadata.TopK[i].Score} vs torch {want[i].Score}");

        if (!attention)
        {
            Assert.Null(metadata.HeatMap);
            return;
        }
        // Torch's weights of the centre query over the (T', H', W') key grid, averaged over T' as the plugin shows them.
        var keys = Fixtures.Npy("live", "tiny_nl_i3d_attention");
        var (kt, kh, kw) = (keys.Shape[0], keys.Shape[1], keys.Shape[2]);
        var k = keys.ToFloats();
        var heat = metadata.HeatMap!;
        Assert.Equal((kw, kh), (heat.Width, heat.Height));
        Assert.Equal(clips.CropRegions[0], heat.Region);
        for (var i = 0; i < kh * kw; i++)
        {
            var mean = Enumerable.Range(0, kt).Average(t => k[t * kh * kw + i]);
            Assert.True(Math.Abs(mean - heat.Values[i]) <= 1e-4 * k.Max(), $"key {i}: {heat.Values[i]} vs torch {mean}");
        }
    }

    [Fact]
    public void Without_a_model_it_is_disabled_with_a_message_saying_how_to_give_one()
    {
        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-action");
        var parameters = PluginSettings.Resolve("nonlocal-action", loaded.Plugin.Parameters, null, []);
        var e = Assert.Throws<InvalidOperationException>(() => loaded.Plugin.Configure(new PluginContext(parameters, null, loaded.Manifest.Directory, _ => { })));
        Assert.Contains("--model", e.Message);
    }
}
