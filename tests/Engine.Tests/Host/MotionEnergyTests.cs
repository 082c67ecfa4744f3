using Engine.Contracts;
using Engine.Host;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>The motion-energy example plugin, loaded from its built folder like any plugin, against torch.</summary>
public sealed class MotionEnergyTests(GpuFixture fixture) : GpuTest(fixture)
{
    /// <summary>The output the plugin marks (the test sees the plugin only through the host, like the engine does).</summary>
    private const string Output = "energy";

    private (LoadedPlugin Loaded, NetworkSpec Node) Configure(params string[] parameters)
    {
        var loaded = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance).Load("motion-energy");
        var values = PluginSettings.Resolve("motion-energy", loaded.Plugin.Parameters, null, parameters);
        var node = Assert.Single(loaded.Plugin.Configure(new PluginContext(values, null, loaded.Manifest.Directory, _ => { })));
        return (loaded, node);
    }

    [Theory]
    [InlineData("small", 3)]
    [InlineData("wide", 4)]
    public void The_kernel_matches_torch_for_sizes_that_are_not_multiples_of_the_grid(string name, int grid)
    {
        var clip = Fixtures.Npy("motion_energy", $"{name}_clip");
        var expected = Fixtures.Npy("motion_energy", $"{name}_energy");
        var (loaded, node) = Configure($"grid={grid}");
        using (loaded)
        {
            using var shaders = new PluginShaders(Device, loaded.Manifest.ShaderDirectory, loaded.Manifest.Directory, watch: false, NullLogger.Instance);
            using var builder = new NetworkBuilder(Device, clip.Shape, shaders, "motion-energy");
            loaded.Plugin.Build(node, builder);
            using var network = builder.Compile();
            network.SetInput(builder.InputName, clip.ToFloats());
            network.Submit();
            var energy = NetworkRunner.ReadOutputs(network)[Output];
            Assert.Equal(expected.Shape.Dims.ToArray(), energy.Shape);
            OpFixtures.AssertClose(expected.ToFloats(), energy.Values, $"{name} energy");
        }
    }

    [Fact]
    public void Interpret_draws_the_grid_over_the_crop_and_boxes_the_most_active_regions_above_the_threshold()
    {
        var energy = Fixtures.Npy("motion_energy", "small_energy").ToFloats()[..9];
        var sorted = energy.Order().ToArray();
        var threshold = ((double)sorted[4] + sorted[5]) / 2; // four regions reach it
        var (loaded, node) = Configure("grid=3", "top=2", $"threshold={threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
        using (loaded)
        {
            var crop = new RegionF(0.25, 0, 0.75, 1);
            var result = new NetworkResult(9, new Dictionary<string, OutputTensor> { [Output] = new([1, 3, 3], energy) }, [crop]);
            var metadata = loaded.Plugin.Interpret(node, result);

            Assert.Equal(crop, metadata.HeatMap!.Region);
            Assert.Equal((3, 3), (metadata.HeatMap.Width, metadata.HeatMap.Height));
            Assert.Equal(energy, metadata.HeatMap.Values);
            var top = Enumerable.Range(0, 9).OrderByDescending(i => energy[i]).Take(2).ToArray();
            Assert.Equal(2, metadata.Boxes.Count);
            for (var k = 0; k < 2; k++)
            {
                var (row, column) = (top[k] / 3, top[k] % 3);
                var box = metadata.Boxes[k].Region;
                Assert.Equal(0.25 + 0.5 * column / 3, box.X0, 1e-12);
                Assert.Equal(1.0 * row / 3, box.Y0, 1e-12);
                Assert.Equal(energy[top[k]] / energy.Sum(), metadata.Boxes[k].Score, 1e-6);
            }
            Assert.Equal(4.0 / 9, Assert.Single(metadata.TopK).Score, 1e-12);
        }
    }
}
