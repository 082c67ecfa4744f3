using System.CommandLine;
using System.Text.Json;
using Engine.Files;
using Engine.Gpu;
using Engine.Graph;
using Engine.Models;
using Engine.Models.Detection;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine run-model`: one preprocessed clip (float32 .npy, N x C x T x H x W) through a package's
/// network; writes the class probabilities (or logits) and any named tensor, in PyTorch layout.
/// A detector package takes one float32 (3, H, W) RGB 0..1 image and writes its detections as JSON
/// (boxes and keypoints in input pixels) and, with --masks, the pasted mask probabilities (D, H, W).
/// </summary>
internal static class RunModelCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Weight package (.safetensors).", Required = true };
        var input = new Option<string>("--input") { Description = "Clip as float32 .npy of shape (N, C, T, H, W), already normalised.", Required = true };
        var output = new Option<string>("--output") { Description = "Where to write the class probabilities (.npy, shape (N, classes)).", Required = true };
        var logits = new Option<bool>("--logits") { Description = "Write the logits instead of the probabilities." };
        var dump = new Option<string[]>("--dump") { Description = "TENSOR=FILE.npy: also write a named tensor (e.g. res3.1.nonlocal) in PyTorch layout.", AllowMultipleArgumentsPerToken = true };
        var masks = new Option<string?>("--masks") { Description = "Detectors: where to write the pasted mask probabilities (.npy, (D, H, W))." };
        var minSize = new Option<int?>("--min-size") { Description = "Detectors: the transform's short-side target (default: the package's)." };
        var maxSize = new Option<int?>("--max-size") { Description = "Detectors: the transform's long-side cap (default: the package's)." };
        var compareFp32 = new Option<bool>("--compare-fp32")
        {
            Description = "With --precision fp16: also run the network with fp32 weights and print how far the fp16 outputs are from them (written outputs stay fp16's).",
        };
        var command = new Command("run-model", "Run a network on one clip (or a detector on one image) and write its outputs.")
        {
            model, input, output, logits, dump, masks, minSize, maxSize, CliOptions.Precision, compareFp32,
        };
        command.SetAction(result =>
        {
            var dumps = (result.GetValue(dump) ?? []).Select(d =>
            {
                var eq = d.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == d.Length - 1)
                    throw new EngineException($"--dump '{d}': expected TENSOR=FILE.npy.");
                return (Tensor: d[..eq], File: d[(eq + 1)..]);
            }).ToArray();
            var storage = CliOptions.WeightStorage(result);
            if (result.GetValue(compareFp32) && storage != DataType.Float16)
                throw new EngineException("run-model: --compare-fp32 compares fp16 weights with fp32 ones; give --precision fp16.");
            using var package = WeightPackage.Open(result.GetValue(model)!);
            if (DetectorArchitecture.IsDetector(package.Metadata.Kind))
            {
                if (result.GetValue(compareFp32))
                    throw new EngineException($"{package.Path}: --compare-fp32 compares class outputs; this is a detector ({package.Metadata.Kind}).");
                var image = NpyArray.Read(result.GetValue(input)!);
                if (image.Shape.Rank != 3 || image.Shape[0] != 3)
                    throw new EngineException($"{result.GetValue(input)}: image {image.Shape} must be (3, H, W) RGB 0..1.");
                using var detLogging = CliOptions.Logging(result);
                using var detInstance = CliOptions.Instance(result, detLogging);
                using var detDevice = detInstance.CreateDevice(CliOptions.DeviceOptions(result, detLogging));
                var detector = DetectorBuilder.Build(package, image.Shape[1], image.Shape[2], result.GetValue(minSize), result.GetValue(maxSize));
                using var detections = detector.Compile(detDevice, new CompileOptions { Keep = dumps.Select(d => d.Tensor).ToArray(), WeightStorage = storage });
                detections.SetInput(DetectorBuilder.Input, image.ToFloats());
                detections.Run();
                WriteDetections(detections, package.Metadata.Labels, result.GetValue(output)!);
                if (result.GetValue(masks) is { } masksFile)
                {
                    if (!detections.Outputs.Contains(DetectorBuilder.Masks))
                        throw new EngineException($"{package.Path}: --masks given, but this detector ({package.Metadata.Kind}) has no mask head.");
                    detections.ReadTorch(DetectorBuilder.Masks).Write(masksFile);
                }
                foreach (var (tensor, file) in dumps)
                    detections.ReadTorch(tensor).Write(file);
                return 0;
            }
            var clip = NpyArray.Read(result.GetValue(input)!);
            if (clip.Shape.Rank != 5 || clip.Shape[1] != 3)
                throw new EngineException($"{result.GetValue(input)}: clip {clip.Shape} must be (N, 3, T, H, W).");

            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
            var builder = ModelBuilder.Build(package, clip.Shape[0], clip.Shape[2], clip.Shape[3], clip.Shape[4]);
            using var graph = builder.Compile(device, new CompileOptions { Keep = dumps.Select(d => d.Tensor).ToArray(), WeightStorage = storage });
            graph.SetInput(VideoResNetBuilder.Input, clip.ToFloats());
            graph.Run();
            if (result.GetValue(compareFp32))
            {
                using var fp32 = builder.Compile(device, new CompileOptions());
                fp32.SetInput(VideoResNetBuilder.Input, clip.ToFloats());
                fp32.Run();
                Console.WriteLine(PrecisionComparison.Of(graph.Read(VideoResNetBuilder.Logits), fp32.Read(VideoResNetBuilder.Logits),
                    graph.ReadTorch(VideoResNetBuilder.Probabilities).ToFloats(), fp32.ReadTorch(VideoResNetBuilder.Probabilities).ToFloats(), clip.Shape[0]));
            }
            graph.ReadTorch(result.GetValue(logits) ? VideoResNetBuilder.Logits : VideoResNetBuilder.Probabilities).Write(result.GetValue(output)!);
            foreach (var (tensor, file) in dumps)
                graph.ReadTorch(tensor).Write(file);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// `{"detections": [{"x1", "y1", "x2", "y2", "label", "label_id", "score"}]}`, best first, boxes in
    /// input pixels; a keypoint detector adds `"keypoints": [[x, y, score], ...]` (input pixels, the
    /// package's keypoint_names order) to each.
    /// </summary>
    private static void WriteDetections(CompiledGraph graph, IReadOnlyList<string> labels, string path)
    {
        var count = (int)graph.Tensor(DetectorBuilder.Count).Download<uint>()[0];
        var boxes = graph.Read(DetectorBuilder.Boxes);
        var scores = graph.Read(DetectorBuilder.Scores);
        var ids = graph.Tensor(DetectorBuilder.Labels).Download<int>();
        var keypoints = graph.Outputs.Contains(DetectorBuilder.Keypoints) ? graph.Read(DetectorBuilder.Keypoints) : null;
        var k = keypoints is null ? 0 : graph.Spec(DetectorBuilder.Keypoints).Shape[1];
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("detections");
        for (var i = 0; i < count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("x1", boxes[4 * i]);
            json.WriteNumber("y1", boxes[4 * i + 1]);
            json.WriteNumber("x2", boxes[4 * i + 2]);
            json.WriteNumber("y2", boxes[4 * i + 3]);
            json.WriteString("label", ids[i] >= 0 && ids[i] < labels.Count ? labels[ids[i]] : ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("label_id", ids[i]);
            json.WriteNumber("score", scores[i]);
            if (keypoints is not null)
            {
                json.WriteStartArray("keypoints");
                for (var j = 0; j < k; j++)
                {
                    json.WriteStartArray();
                    for (var v = 0; v < 3; v++)
                        json.WriteNumberValue(keypoints[(i * k + j) * 3 + v]);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
