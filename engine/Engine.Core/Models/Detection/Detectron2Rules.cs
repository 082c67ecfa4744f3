using Engine.Graph;
using Engine.Graph.Nodes;

namespace Engine.Models.Detection;

/// <summary>
/// Where detectron2's Mask R-CNN (configs/Base-RCNN-FPN.yaml with config/defaults.py's test settings)
/// differs from torchvision's, for <see cref="DetectorBuilder"/> on a package whose architecture says
/// background "last". The rest of the network is shared: ResNet (with MODEL.RESNETS.STRIDE_IN_1X1,
/// the package's stride_in_1x1), FPN with LastLevelMaxPool (detectron2's top-down
/// F.interpolate(scale_factor=2) equals torchvision's size= on inputs padded to 32), the RPN head
/// and the box and mask heads. Each rule names the detectron2 file and function it follows.
/// </summary>
public static class Detectron2Rules
{
    /// <summary>
    /// A side length that passes structures/boxes.py:Boxes.nonempty(threshold=0) (width > 0, height
    /// > 0) as the score filter's `side >= minSize`: the smallest normal float, so no flush of
    /// denormals can turn it into 0 (a clipped box lies in [0, image], so no width is below it but 0).
    /// </summary>
    public const float NonEmpty = 1.17549435e-38f;

    /// <summary>
    /// The strides of p2..p6, fixed: modeling/backbone/fpn.py:FPN.__init__ sets `_out_feature_strides`
    /// to 2^level (p6 from LastLevelMaxPool's level too), and anchor_generator.py:DefaultAnchorGenerator
    /// takes them from the backbone's output shapes, not from the image over the feature size.
    /// </summary>
    public static int Stride(int level) => 1 << level;

    /// <summary>
    /// data/transforms/augmentation_impl.py:ResizeShortestEdge.get_output_shape (INPUT.MIN_SIZE_TEST,
    /// MAX_SIZE_TEST): scale the short side to <paramref name="minSize"/> in double, shrink both sides
    /// if the long one passes <paramref name="maxSize"/>, round each side half up (torchvision floors).
    /// </summary>
    public static (int H, int W) ResizedSize(int height, int width, int minSize, int maxSize)
    {
        double size = minSize;
        var scale = size / Math.Min(height, width);
        var (h, w) = height < width ? (size, scale * width) : (scale * height, size);
        if (Math.Max(h, w) > maxSize)
        {
            scale = maxSize / Math.Max(h, w);
            (h, w) = (h * scale, w * scale);
        }
        return ((int)(h + 0.5), (int)(w + 0.5));
    }

    /// <summary>
    /// The last steps of the detections, from the class-aware NMS's survivors `roi.box.nms.*` (count
    /// `roi.box.nms.count`, at most 100: roi_heads/fast_rcnn.py:fast_rcnn_inference_single_image's
    /// keep[:DETECTIONS_PER_IMAGE]) to `roi.box.kept` (boxes in the network's input pixels), the
    /// scores, labels and count: modeling/postprocessing.py:detector_postprocess drops the boxes
    /// that Boxes.nonempty rejects after scaling and clipping to the output size. A box is empty after
    /// the scaling exactly when it is empty before it (the box head clipped it to the resized image,
    /// and scaling by output / input moves its sides by at most an ulp past the output size, which the
    /// final clip takes back), so the engine filters the unscaled boxes, keeping their order (the
    /// top-k of the kept scores, which are in NMS order, ties by row).
    /// </summary>
    public static void DropEmptyDetections(GraphBuilder graph, int maxDetections)
    {
        graph.Add(new ScoreFilterNode("roi.box.nonempty", "roi.box.nms.scores", "roi.box.nonempty", "roi.box.nonempty.count", -float.MaxValue, inclusive: true,
            boxes: "roi.box.nms.boxes", minSize: NonEmpty, rowCount: "roi.box.nms.count"));
        graph.Add(new TopKNode("roi.box.final", "roi.box.nms.scores", "roi.box.final", DetectorBuilder.Count, maxDetections, "roi.box.nonempty", "roi.box.nonempty.count"));
        graph.Add(new GatherNode(DetectorBuilder.KeptBoxes, "roi.box.nms.boxes", "roi.box.final", DetectorBuilder.KeptBoxes, DetectorBuilder.Count));
        graph.Add(new GatherNode("roi.box.detections.scores", "roi.box.nms.scores", "roi.box.final", DetectorBuilder.Scores, DetectorBuilder.Count));
        graph.Add(new GatherNode("roi.box.detections.labels", "roi.box.nms.labels", "roi.box.final", DetectorBuilder.Labels, DetectorBuilder.Count));
    }
}
