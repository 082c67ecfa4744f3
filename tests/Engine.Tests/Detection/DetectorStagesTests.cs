using Engine.Models;
using Engine.Models.Detection;

namespace Engine.Tests.Detection;

/// <summary>The detector bench's per-stage summary: every node of a built Mask or Keypoint R-CNN graph belongs to a stage.</summary>
public sealed class DetectorStagesTests
{
    [Fact]
    public void Every_node_of_a_mask_rcnn_graph_belongs_to_a_known_stage_and_every_stage_but_the_keypoint_head_has_nodes()
    {
        var stages = Stages(DetectorTests.Convert("nonlocal.pth"));
        foreach (var stage in DetectorStages.All.Where(s => s != DetectorStages.KeypointHead))
            Assert.NotEmpty(stages[stage]);
        Assert.Empty(stages[DetectorStages.KeypointHead]);
        Assert.Contains(DetectorBuilder.NonLocalOutput, stages[DetectorStages.Backbone]);
        Assert.Equal([DetectorBuilder.PasteNode], stages[DetectorStages.Paste]);
        Assert.All(stages[DetectorStages.RpnHead], n => Assert.Matches(@"^rpn\.(conv|objectness|deltas)\.p[2-6]$", n));
    }

    [Fact]
    public void Every_node_of_a_keypoint_rcnn_graph_belongs_to_a_known_stage()
    {
        var stages = Stages(DetectorTests.Convert("nonlocal.pth", "keypoint"));
        Assert.Empty(stages[DetectorStages.MaskHead]);
        Assert.Empty(stages[DetectorStages.Paste]);
        Assert.Contains("roi.keypoint.decode", stages[DetectorStages.KeypointHead]);
        Assert.Contains(DetectorBuilder.NonLocalOutput, stages[DetectorStages.Backbone]);
    }

    /// <summary>The node names of a package's graph by stage, none of them in no stage; deletes the package.</summary>
    private static ILookup<string, string> Stages(string path)
    {
        try
        {
            using var package = WeightPackage.Open(path);
            var graph = DetectorBuilder.Build(package, 250, 190, 320, 1333);
            var stages = graph.Nodes.ToLookup(n => DetectorStages.Of(n.Name), n => n.Name);
            Assert.Empty(stages[DetectorStages.Other]);
            return stages;
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
    [InlineData("roi.keypoint.decode", DetectorStages.KeypointHead)]
    [InlineData("detections.masks", DetectorStages.Other)]
    public void Node_names_map_to_their_stage(string node, string stage) => Assert.Equal(stage, DetectorStages.Of(node));
}
