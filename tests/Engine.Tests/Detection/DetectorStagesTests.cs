using Engine.Models;
using Engine.Models.Detection;

namespace Engine.Tests.Detection;

/// <summary>The detector bench's per-stage summary: every node of a built Mask R-CNN graph belongs to a stage.</summary>
public sealed class DetectorStagesTests
{
    [Fact]
    public void Every_node_of_a_mask_rcnn_graph_belongs_to_a_known_stage_and_every_stage_has_nodes()
    {
        var path = DetectorTests.Convert("nonlocal.pth");
        try
        {
            using var package = WeightPackage.Open(path);
            var graph = DetectorBuilder.Build(package, 250, 190, 320, 1333);
            var stages = graph.Nodes.ToLookup(n => DetectorStages.Of(n.Name), n => n.Name);
            Assert.Empty(stages[DetectorStages.Other]);
            foreach (var stage in DetectorStages.All)
                Assert.NotEmpty(stages[stage]);
            Assert.Contains(DetectorBuilder.NonLocalOutput, stages[DetectorStages.Backbone]);
            Assert.Equal([DetectorBuilder.PasteNode], stages[DetectorStages.Paste]);
            Assert.All(stages[DetectorStages.RpnHead], n => Assert.Matches(@"^rpn\.(conv|objectness|deltas)\.p[2-6]$", n));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("transform", DetectorStages.Transform)]
    [InlineData("backbone.res4.5.nonlocal", DetectorStages.Backbone)]
    [InlineData("fpn.p6", DetectorStages.Fpn)]
    [InlineData("rpn.objectness.p3", DetectorStages.RpnHead)]
    [InlineData("rpn.nms.p3", DetectorStages.Proposals)]
    [InlineData("roi.box.nms", DetectorStages.BoxHead)]
    [InlineData("roi.mask.deconv", DetectorStages.MaskHead)]
    [InlineData("roi.mask.paste", DetectorStages.Paste)]
    [InlineData("detections.masks", DetectorStages.Other)]
    public void Node_names_map_to_their_stage(string node, string stage) => Assert.Equal(stage, DetectorStages.Of(node));
}
