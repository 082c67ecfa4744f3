namespace Engine.Contracts;

/// <summary>
/// What <see cref="INetworkBuilder.Detector"/> adds (API 1.1): a detector package's final detections
/// for the network's whole frame, a fixed maximum of D rows of which the first <see cref="Count"/> (1)
/// are valid: <see cref="Boxes"/> (D, 4) x1, y1, x2, y2 in pixels of the network's input,
/// <see cref="Scores"/> (D), <see cref="Labels"/> (D) the network's class index (read back as exact
/// floats) and, for mask networks, <see cref="Masks"/> (D, H, W) probabilities pasted at input resolution;
/// for keypoint networks (API 1.2) <see cref="Keypoints"/> (D, K, 3) x, y in pixels of the network's input
/// and the keypoint's heatmap logit (torchvision's keypoints_scores), K in the package's keypoint_names order.
/// </summary>
public sealed record DetectionOutputs(NetworkTensor Boxes, NetworkTensor Scores, NetworkTensor Labels, NetworkTensor Count, NetworkTensor? Masks,
    NetworkTensor? Keypoints = null);
