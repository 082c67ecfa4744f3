using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops.Detection;
using Engine.Tests.Gpu;
using Engine.Tests.Ops;
using static Engine.Tests.Detection.DetectionFixtures;

namespace Engine.Tests.Detection;

/// <summary>
/// The detection nodes composed into one compiled graph: torchvision's RPN proposal filtering over
/// two levels (anchors, per-level top-k, decode, sigmoid, clip, remove small, per-level NMS, keep
/// post_nms_top_n), against RegionProposalNetwork.filter_proposals on the same logits and deltas.
/// </summary>
public sealed class DetectionOpTestsGraph(GpuFixture fixture) : GpuTest(fixture)
{
    [Fact]
    public void Rpn_proposal_graph_matches_torchvision_filter_proposals()
    {
        var c = Case("rpn");
        var image = c.GetProperty("image").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var features = c.GetProperty("features").EnumerateArray().Select(f => (H: f[0].GetInt32(), W: f[1].GetInt32())).ToArray();
        var sizes = c.GetProperty("sizes").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var (preNms, postNms) = (c.GetProperty("pre_nms").GetInt32(), c.GetProperty("post_nms").GetInt32());

        var graph = new GraphBuilder("rpn");
        for (var l = 0; l < features.Length; l++)
        {
            var (h, w) = features[l];
            var anchors = h * w * 3;
            graph.Input($"feature{l}", TensorSpec.Activation(1, 1, h, w, 4));
            graph.Input($"objectness{l}", new TensorSpec(new Shape(anchors)));
            graph.Input($"deltas{l}", new TensorSpec(new Shape(anchors, 4)));
            graph.Add(new AnchorsNode($"anchors{l}", $"feature{l}", $"anchors{l}", image[0], image[1], [sizes[l]], [0.5f, 1f, 2f]));
            graph.Add(new TopKNode($"top{l}", $"objectness{l}", $"top{l}", $"top{l}.count", preNms));
            graph.Add(new BoxDecodeNode($"decode{l}", $"anchors{l}", $"deltas{l}", $"boxes{l}", BoxWeights.Rpn, (image[0], image[1]),
                indices: $"top{l}", count: $"top{l}.count"));
            graph.Add(new GatherNode($"scores{l}", $"objectness{l}", $"top{l}", $"scores{l}", $"top{l}.count", sigmoid: true));
        }
        string[] levels = [.. Enumerable.Range(0, features.Length).Select(l => $"top{l}.count")];
        graph.Add(new ConcatRowsNode("concat.boxes", [.. Enumerable.Range(0, features.Length).Select(l => $"boxes{l}")], levels, "boxes", "boxes.count", "levels"));
        graph.Add(new ConcatRowsNode("concat.scores", [.. Enumerable.Range(0, features.Length).Select(l => $"scores{l}")], levels, "scores", "scores.count"));
        graph.Add(new ScoreFilterNode("filter", "scores", "candidates", "candidates.count", 0, inclusive: true, boxes: "boxes",
            minSize: c.GetProperty("min_size").GetSingle(), rowCount: "scores.count"));
        graph.Add(new NmsNode("nms", "boxes", "scores", "keep", "keep.count", c.GetProperty("nms").GetSingle(), postNms, "candidates", "candidates.count", "levels"));
        graph.Add(new GatherNode("proposals", "boxes", "keep", "proposals", "keep.count"));
        graph.Add(new GatherNode("proposal.scores", "scores", "keep", "proposal.scores", "keep.count"));
        graph.Output("proposals");
        graph.Output("proposal.scores");

        using var compiled = graph.Compile(Device);
        for (var l = 0; l < features.Length; l++)
        {
            compiled.SetInput($"feature{l}", new float[compiled.Spec($"feature{l}").Shape.ElementCount]);
            compiled.SetInput($"objectness{l}", Floats("rpn", $"objectness{l}"));
            compiled.SetInput($"deltas{l}", Floats("rpn", $"deltas{l}"));
        }
        compiled.Run();
        var expectedBoxes = Floats("rpn", "boxes");
        var boxes = compiled.Read("proposals");
        Assert.Equal(expectedBoxes.Length, boxes.Length);
        OpFixtures.AssertClose(expectedBoxes, boxes, "proposals");
        OpFixtures.AssertClose(Floats("rpn", "scores"), compiled.Read("proposal.scores"), "proposal scores");
    }
}
