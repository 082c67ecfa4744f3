using Engine.Contracts;
using Engine.Graph;
using Engine.Host;
using Engine.Tests.Gpu;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>Cross-stream batching (<see cref="NetworkBatch"/>) on nonlocal-action's tiny non-local I3D.</summary>
public sealed class BatchingTests(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void Two_streams_batched_in_one_run_give_each_the_outputs_it_gets_alone()
    {
        var frameArray = Fixtures.Npy("live", "tiny_nl_i3d_frame");
        var (h, w) = (frameArray.Shape[0], frameArray.Shape[1]);
        // Stream B sees the same picture with its colour channels rotated: another prediction.
        byte[] a = [.. frameArray.Data];
        var b = new byte[a.Length];
        for (var i = 0; i < a.Length; i += 3)
            (b[i], b[i + 1], b[i + 2]) = (a[i + 1], a[i + 2], a[i]);

        using var loaded = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance).Load("nonlocal-action");
        var options = new LiveOptions { Model = NonLocalActionTests.TinyPackage, Parameters = ["sampling_rate=1"] };
        var setup = PluginSetup.FromOptions(loaded, options);
        // Batched: streams A and B; alone: A' and B', fed the same frames.
        var runners = Enumerable.Range(0, 4).Select(_ => new PluginRunner(setup, Device, Device, w, h, options, NullLogger.Instance)).ToArray();
        try
        {
            var networks = runners.Select(r => Assert.Single(r.Networks)).ToArray();
            using var gpu = new GpuFrame(Device, w, h);
            for (var k = 0; k < 4; k++)
            {
                var ring = new FrameRing(w, h, buffers: 2);
                for (var t = 0; t < 4; t++)
                {
                    var f = ring.Rent();
                    (k % 2 == 0 ? a : b).CopyTo(f.Pixels, 0);
                    ring.Publish(f);
                    var frame = ring.Take(TimeSpan.FromSeconds(1))!;
                    Device.Run(list =>
                    {
                        gpu.Write(frame, list);
                        networks[k].Clips.RecordSample(list, gpu, frame);
                    });
                    ring.Release(frame);
                }
            }

            var batch = Assert.Single(NetworkBatch.Build(networks[..2], Device, new CompileOptions(), batching: true, NullLogger.Instance));
            var alone = NetworkBatch.Build(networks[2..], Device, new CompileOptions(), batching: false, NullLogger.Instance);
            Assert.Equal(2, batch.Size);
            Assert.Equal([1, 1], alone.Select(x => x.Size));
            // One copy of the weights serves both streams.
            Assert.Equal(alone[0].Graph.WeightBytes, batch.Graph.WeightBytes);

            Assert.True(batch.TryLaunch());
            Assert.True(alone[0].TryLaunch(3));
            Assert.True(alone[1].TryLaunch(3));
            Device.WaitIdle();
            var probabilities = networks.Select(n =>
            {
                float[]? p = null;
                Assert.True(n.Poll(result =>
                {
                    p = result.Outputs["probabilities"].Values;
                    return new DisplayMetadata([], [], [], null);
                }));
                return p!;
            }).ToArray();

            // One submission ran both streams' clips, and each got one result.
            Assert.Equal(1, batch.Runs);
            Assert.All(networks, n => Assert.Equal(1, n.Runs));
            Assert.Equal(probabilities[2].Length, probabilities[0].Length);
            // fp32 throughout; only the batch extent of the dispatches differs.
            const float Tolerance = 1e-5f;
            for (var s = 0; s < 2; s++)
            {
                for (var i = 0; i < probabilities[s].Length; i++)
                    Assert.True(Math.Abs(probabilities[s][i] - probabilities[s + 2][i]) <= Tolerance, $"stream {s}, score {i}: batched {probabilities[s][i]}, alone {probabilities[s + 2][i]}");
            }
            // The two streams' predictions differ by far more, so rows handed to the wrong stream would fail.
            Assert.True(probabilities[0].Zip(probabilities[1]).Max(p => Math.Abs(p.First - p.Second)) > 100 * Tolerance);
        }
        finally
        {
            foreach (var runner in runners)
                runner.Dispose();
        }
    }
}
