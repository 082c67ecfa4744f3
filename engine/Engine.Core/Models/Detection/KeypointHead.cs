using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Ops;
using Engine.Ops.Detection;

namespace Engine.Models.Detection;

/// <summary>
/// torchvision's Keypoint R-CNN head on the kept detections (keypoint_rcnn.py, roi_heads.py):
/// MultiScaleRoIAlign 14x14 (sampling ratio 2) of the boxes on P2..P5, KeypointRCNNHeads (3x3 convs
/// + ReLU), KeypointRCNNPredictor (ConvTranspose2d 4x4 stride 2 padding 1 to K channels, then
/// F.interpolate(scale_factor=2, bilinear, align_corners=False), whose source scale 1/2 equals the
/// exact-size bilinear resize's 28/56), and keypointrcnn_inference (<see cref="HeatmapKeypoints"/>)
/// with the keypoints scaled back to input pixels as the boxes are: `detections.keypoints` (100, K, 3)
/// [x, y, score]. Nodes are named `roi.keypoint.*` (the keypoint_head stage of <see cref="DetectorStages"/>).
/// </summary>
internal static class KeypointHead
{
    private const int PooledSize = 14;

    public static void Add(GraphBuilder graph, WeightPackage package, DetectorArchitecture arch, string[] levels, float[] scales, (int H, int W) resized, (int H, int W) image)
    {
        var (f, d, k) = (arch.FpnChannels, arch.KeypointHeadDim!.Value, arch.KeypointNames.Length);
        graph.Add(new RoiAlignNode("roi.keypoint.features", levels, DetectorBuilder.KeptBoxes, "roi.keypoint.features", scales,
            RoiAlignOptions.Torchvision(PooledSize), DetectorBuilder.Count));
        var (x, channels) = ("roi.keypoint.features", f);
        for (var i = 1; i <= arch.KeypointHeadConvs; i++)
        {
            DetectorBuilder.Conv(graph, package, $"roi.keypoint.conv{i}", x, $"roi.keypoint.conv{i}", channels, d, 3, 1, 1, (PooledSize, PooledSize), null, relu: true);
            (x, channels) = ($"roi.keypoint.conv{i}", d);
        }
        graph.Add(new ConvTransposeNode("roi.keypoint.deconv", x, "roi.keypoint.deconv", new ConvTransposeSpec(d, k, (4, 4), (2, 2), (1, 1)),
            () => package.Floats("roi.keypoint.deconv.weight", d, k, 4, 4), () => package.Floats("roi.keypoint.deconv.bias", k)));
        graph.Add(new ResizeNode("roi.keypoint.heatmaps", "roi.keypoint.deconv", "roi.keypoint.heatmaps", ResizeMode.Bilinear, (4 * PooledSize, 4 * PooledSize)));
        var ratio = ((float)image.W / resized.W, (float)image.H / resized.H);
        graph.Add(new HeatmapKeypointsNode("roi.keypoint.decode", "roi.keypoint.heatmaps", DetectorBuilder.KeptBoxes, DetectorBuilder.Keypoints, k, ratio, DetectorBuilder.Count));
    }
}
