using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Tests.Gpu;

namespace Engine.Tests.Graph;

public sealed class InputLayoutNodeTests(GpuFixture fixture) : GpuTest(fixture)
{
    /// <summary>A permutation is exact: every element must land where the index map says, over several dispatches.</summary>
    [Theory]
    [InlineData(1, 100, 144, 144)]
    [InlineData(2, 3, 33, 29)]
    public void Input_layout_moves_every_element_of_a_clip_to_channels_last(int n, int t, int h, int w)
    {
        var graph = new GraphBuilder("layout");
        graph.Input("clip", new TensorSpec(new Shape(n, 3, t, h, w)));
        graph.Add(new InputLayoutNode("input", "clip", "input"));
        graph.Output("input");
        using var compiled = graph.Compile(Device);
        var x = RandomFloats(n * 3 * t * h * w, 1);
        compiled.SetInput("clip", x);
        compiled.Run();
        var y = compiled.Read("input");
        var pixels = (long)t * h * w;
        var bad = 0L;
        for (var b = 0; b < n; b++)
        {
            for (long p = 0; p < pixels; p++)
            {
                for (var c = 0; c < 4; c++)
                {
                    var expected = c < 3 ? x[(b * 3 + c) * pixels + p] : 0f;
                    if (y[(b * pixels + p) * 4 + c] != expected)
                        bad++;
                }
            }
        }
        Assert.Equal(0, bad);
        Assert.Equal(new Shape(n, 3, t, h, w), compiled.ReadTorch("input").Shape);
    }
}
