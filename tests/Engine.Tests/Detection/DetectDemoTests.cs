using System.Text.Json;
using Engine.Contracts;
using Engine.Host;
using Engine.Models;
using Engine.Models.Detection;
using Engine.Tests.Cli;
using Engine.Tests.Gpu;
using Engine.Tests.Host;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Engine.Tests.Detection;

/// <summary>The nonlocal-detect plugin and the demo detector (tools/train/train_detector.py) through the engine.</summary>
public sealed class DetectDemoTests(GpuFixture fixture, ITestOutputHelper output) : GpuTest(fixture), IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-detect-");

    /// <summary>The demo detector as the plugin's build converts it (models/detector/demo_detector.pth).</summary>
    public static string DemoPackage => Path.Combine(PluginCatalogTests.Plugins, "nonlocal-detect", "default.safetensors");

    /// <summary>A held-out scene (seed 2, as train_detector.py holds out) as RGB 0..1, planar (3, H, W) and channels-last (H, W, 4).</summary>
    private static (float[] Planar, float[] ChannelsLast, IReadOnlyList<SceneObject> Objects, byte[] Instances) Scene(int index, int width, int height)
    {
        var objects = SyntheticScene.DetectionScenes(2).ElementAt(index);
        var (rgb, instances) = (new byte[width * height * 3], new byte[width * height]);
        SyntheticScene.RenderObjects(width, height, objects, rgb, instances);
        var (planar, last) = (new float[3 * width * height], new float[4 * width * height]);
        for (var p = 0; p < width * height; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                planar[c * width * height + p] = rgb[p * 3 + c] / 255f;
                last[p * 4 + c] = rgb[p * 3 + c] / 255f;
            }
        }
        return (planar, last, objects, instances);
    }

    private static readonly string[] _shapeLabels = ["__background__", "square", "triangle", "circle", "bar"];

    private static ModelInfo Package(string kind = "maskrcnn-fpn") =>
        new("demo.safetensors", _shapeLabels, null, null, null, null, null, $$"""{"kind": "{{kind}}", "min_size": 160, "max_size": 320}""", 1);

    private static (IPlugin Plugin, NetworkSpec Node, RecordingNetworkBuilder Network, LoadedPlugin Loaded) Configure(ModelInfo model, bool masks, params string[] parameters) =>
        Configure(model, masks, 0, parameters);

    private static (IPlugin Plugin, NetworkSpec Node, RecordingNetworkBuilder Network, LoadedPlugin Loaded) Configure(ModelInfo model, bool masks, int keypoints, string[] parameters)
    {
        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        var loaded = catalog.Load("nonlocal-detect");
        var values = PluginSettings.Resolve("nonlocal-detect", loaded.Plugin.Parameters, null, parameters);
        var node = Assert.Single(loaded.Plugin.Configure(new PluginContext(values, model, loaded.Manifest.Directory, _ => { })));
        var network = new RecordingNetworkBuilder(40, 20, masks, keypoints);
        loaded.Plugin.Build(node, network);
        return (loaded.Plugin, node, network, loaded);
    }

    [Fact]
    public void The_plugin_asks_for_one_whole_frame_capped_at_the_packages_size_and_the_detector_outputs()
    {
        var (_, node, network, loaded) = Configure(Package(), masks: true);
        using (loaded)
        {
            Assert.Equal((320, 160), (node.Input.Frame!.MaxLongSide, node.Input.Frame.MaxShortSide));
            var n = node.Input.Frame.Normalization;
            Assert.Equal(1.0, n.Scale);
            Assert.Equal([0.0, 0, 0], n.Mean);
            Assert.Equal([1.0, 1, 1], n.Std);
            Assert.Equal(1, node.Input.Clip.Frames);
            Assert.Equal([OutputKind.Boxes, OutputKind.Masks], node.Outputs);
            Assert.Equal("demo.safetensors", network.DetectorPackage);
            Assert.Equal(["boxes", "scores", "labels", "count", "masks"], network.Outputs.Keys);
        }

        var (_, boxNode, boxNetwork, boxLoaded) = Configure(Package("fasterrcnn-fpn"), masks: false, "mask_alpha=0.7");
        using (boxLoaded)
        {
            Assert.Equal([OutputKind.Boxes], boxNode.Outputs);
            Assert.Equal(["boxes", "scores", "labels", "count"], boxNetwork.Outputs.Keys);
        }
    }

    [Fact]
    public void A_package_that_is_not_a_detector_is_refused_with_its_kind()
    {
        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-detect");
        var values = PluginSettings.Resolve("nonlocal-detect", loaded.Plugin.Parameters, null, []);
        var model = Package("video-resnet");
        var e = Assert.Throws<InvalidOperationException>(() => loaded.Plugin.Configure(new PluginContext(values, model, loaded.Manifest.Directory, _ => { })));
        Assert.Contains("video-resnet", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", new[] { 0, 2 })]
    [InlineData("Square", new[] { 0 })]
    [InlineData("circle, 4", new[] { 2 })]
    public void Interpret_shows_the_valid_confident_detections_of_the_chosen_classes_best_first_in_frame_fractions(string classes, int[] shown)
    {
        var (plugin, node, _, loaded) = Configure(Package(), masks: true, $"classes={classes}", "score_threshold=0.5", "mask_threshold=0.6", "mask_alpha=0.4");
        using var _ = loaded;
        const int W = 40, H = 20;
        // Four rows, three valid: row 1 scores below the threshold, row 3 (past the count) must never be read.
        float[] boxes = [4, 2, 12, 10, 0, 0, 5, 5, 20, 4, 36, 18, 1, 1, 39, 19];
        float[] scores = [0.7f, 0.3f, 0.9f, 0.99f];
        float[] labels = [1, 2, 3, 1];
        var masks = new float[4 * H * W];
        for (var r = 3; r < 7; r++)
        {
            for (var c = 5; c < 9; c++)
                masks[r * W + c] = 0.65f;
        }
        masks[4 * W + 10] = 0.55f; // inside the box, below the mask threshold
        Array.Fill(masks, 0.9f, 3 * H * W, H * W);
        var outputs = new Dictionary<string, OutputTensor>
        {
            ["boxes"] = new([4, 4], boxes),
            ["scores"] = new([4], scores),
            ["labels"] = new([4], labels),
            ["count"] = new([1], [3f]),
            ["masks"] = new([4, H, W], masks),
        };
        var metadata = plugin.Interpret(node, new NetworkResult(7, outputs, [RegionF.Full]));

        var expected = shown.OrderByDescending(i => scores[i]).ToArray();
        Assert.Equal(expected.Select(i => _shapeLabels[(int)labels[i]]), metadata.Boxes.Select(b => b.Label));
        Assert.Equal(expected.Select(i => (double)scores[i]), metadata.Boxes.Select(b => b.Score));
        for (var k = 0; k < expected.Length; k++)
        {
            var i = expected[k];
            Assert.Equal(new RegionF((double)boxes[4 * i] / W, (double)boxes[4 * i + 1] / H, (double)boxes[4 * i + 2] / W, (double)boxes[4 * i + 3] / H), metadata.Boxes[k].Region);
        }
        Assert.Equal(expected.Length, metadata.Masks.Count);
        Assert.All(metadata.Masks, m => Assert.Equal(102u, m.Rgb >> 24)); // 0.4 * 255
        if (expected.Contains(0))
        {
            // Row 0's mask: its box widened by a pixel, (3, 1)-(13, 11), with the 4 x 4 block above the threshold.
            var m = metadata.Masks[Array.IndexOf(expected, 0)];
            Assert.Equal((10, 10), (m.Width, m.Height));
            Assert.Equal(new RegionF(3.0 / W, 1.0 / H, 13.0 / W, 11.0 / H), m.Region);
            Assert.Equal(16, m.Values.Count(v => v == 1f));
            Assert.Equal(1f, m.Values[(3 - 1) * 10 + 5 - 3]);
            Assert.Equal(0f, m.Values[(4 - 1) * 10 + 10 - 3]);
        }
    }

    [Fact]
    public void Interpret_draws_the_coco_skeleton_of_each_shown_keypoint_detection_without_its_low_scoring_keypoints()
    {
        string[] names = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
            "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"];
        var architecture = JsonSerializer.Serialize(new Dictionary<string, object> { ["kind"] = "keypointrcnn-fpn", ["min_size"] = 160, ["max_size"] = 320, ["keypoint_names"] = names });
        var model = new ModelInfo("kp.safetensors", ["no person", "person"], null, null, null, null, null, architecture, 1);
        var (plugin, node, network, loaded) = Configure(model, masks: false, 17, ["score_threshold=0.5", "keypoint_threshold=0"]);
        using var _ = loaded;
        Assert.Equal([OutputKind.Boxes, OutputKind.Lines], node.Outputs);
        Assert.Equal(["boxes", "scores", "labels", "count", "keypoints"], network.Outputs.Keys);
        const int W = 40, H = 20;
        // Two rows: row 1 scores below the threshold; row 0's keypoint j sits at (2j + 1, j), the nose (0) scoring below 0.
        var keypoints = new float[2 * 17 * 3];
        for (var j = 0; j < 17; j++)
            (keypoints[3 * j], keypoints[3 * j + 1], keypoints[3 * j + 2], keypoints[51 + 3 * j + 2]) = (2 * j + 1, j, j == 0 ? -1f : 1f, 5f);
        var outputs = new Dictionary<string, OutputTensor>
        {
            ["boxes"] = new([2, 4], [0, 0, 39, 19, 0, 0, 39, 19]),
            ["scores"] = new([2], [0.9f, 0.3f]),
            ["labels"] = new([2], [1, 1]),
            ["count"] = new([1], [2f]),
            ["keypoints"] = new([2, 17, 3], keypoints),
        };
        var lines = plugin.Interpret(node, new NetworkResult(3, outputs, [RegionF.Full])).Lines!;
        // COCO's 19 skeleton pairs less the nose's two, then 16 dots.
        Assert.Equal(17 + 16, lines.Count);
        Assert.Equal(new LineF(31.0 / W, 15.0 / H, 27.0 / W, 13.0 / H, lines[0].Rgb), lines[0]); // left_ankle - left_knee
        Assert.Equal(new LineF(3.0 / W, 1.0 / H, 5.0 / W, 2.0 / H, lines[0].Rgb), lines[12]);   // left_eye - right_eye
        Assert.Equal(new LineF(3.0 / W, 1.0 / H, 3.0 / W, 1.0 / H, lines[0].Rgb, 4), lines[17]); // left_eye's dot
        Assert.All(lines, l => Assert.Equal(lines[0].Rgb, l.Rgb));
    }

    [Fact]
    public void A_class_filter_naming_no_label_of_the_package_is_refused()
    {
        var catalog = new PluginCatalog([PluginCatalogTests.Plugins], NullLogger.Instance);
        using var loaded = catalog.Load("nonlocal-detect");
        var values = PluginSettings.Resolve("nonlocal-detect", loaded.Plugin.Parameters, null, ["classes=square,hexagon"]);
        var e = Assert.Throws<InvalidOperationException>(() => loaded.Plugin.Configure(new PluginContext(values, Package(), loaded.Manifest.Directory, _ => { })));
        Assert.Contains("hexagon", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_detector_graph_takes_the_live_hosts_channels_last_frame_exactly_as_a_planar_image()
    {
        const int W = 96, H = 72;
        var (planar, last, _, _) = Scene(0, W, H);
        using var package = WeightPackage.Open(DemoPackage);
        using var a = DetectorBuilder.Build(package, H, W).Compile(Device);
        using var b = ModelBuilder.Build(package, 1, 1, H, W, channelsLastInput: true).Compile(Device);
        Assert.Equal(new Engine.Gpu.Shape(1, 1, H, W, 4), b.Spec(DetectorBuilder.Input).Shape);
        a.SetInput(DetectorBuilder.Input, planar);
        b.SetInput(DetectorBuilder.Input, last);
        a.Run();
        b.Run();
        Assert.NotEmpty(a.Outputs);
        foreach (var output in a.Outputs)
            Assert.Equal(a.Read(output), b.Read(output));
    }

    [Fact]
    public void The_demo_detector_finds_nine_in_ten_held_out_objects_at_iou_half_through_the_engine()
    {
        // The frame size of the synthetic source and of train_detector.py's scenes; held-out scenes (seed 2).
        const int W = 320, H = 240, Scenes = 40;
        using var package = WeightPackage.Open(DemoPackage);
        using var graph = DetectorBuilder.Build(package, H, W).Compile(Device);
        var (found, total) = (0, 0);
        var maskIous = new List<double>();
        for (var s = 0; s < Scenes; s++)
        {
            var (planar, _, objects, instances) = Scene(s, W, H);
            graph.SetInput(DetectorBuilder.Input, planar);
            graph.Run();
            var count = (int)graph.Tensor(DetectorBuilder.Count).Download<uint>()[0];
            var boxes = graph.Tensor(DetectorBuilder.Boxes).Download<float>();
            var scores = graph.Tensor(DetectorBuilder.Scores).Download<float>();
            var labels = graph.Tensor(DetectorBuilder.Labels).Download<int>();
            var masks = graph.Tensor(DetectorBuilder.Masks).Download<float>();
            var truth = SyntheticScene.InstanceBoxes(instances, W, objects.Count);
            var used = new bool[count];
            for (var k = 0; k < objects.Count; k++)
            {
                if (truth[k] is not { } t)
                    continue;
                total++;
                // The best unused detection of the object's class scoring at least 0.5 with IoU >= 0.5.
                var (best, bestIou) = (-1, 0.5);
                for (var d = 0; d < count; d++)
                {
                    if (used[d] || scores[d] < 0.5 || labels[d] != (int)objects[k].Shape + 1)
                        continue;
                    var iou = Iou((t.X1, t.Y1, t.X2, t.Y2), (boxes[4 * d], boxes[4 * d + 1], boxes[4 * d + 2], boxes[4 * d + 3]));
                    if (iou >= bestIou)
                        (best, bestIou) = (d, iou);
                }
                if (best < 0)
                    continue;
                used[best] = true;
                found++;
                var (inter, union) = (0, 0);
                for (var p = 0; p < W * H; p++)
                {
                    var (m, g) = (masks[(long)best * W * H + p] >= 0.5f, instances[p] == k + 1);
                    inter += m && g ? 1 : 0;
                    union += m || g ? 1 : 0;
                }
                maskIous.Add((double)inter / Math.Max(1, union));
            }
        }
        var recall = (double)found / total;
        output.WriteLine($"held-out recall at IoU 0.5: {found}/{total} = {recall:0.0000}, mean mask IoU {maskIous.DefaultIfEmpty(0).Average():0.0000}");
        Assert.True(recall >= 0.9, $"recall at IoU 0.5: {found}/{total} = {recall:0.000}, mean mask IoU {maskIous.DefaultIfEmpty(0).Average():0.000}");
        Assert.True(maskIous.Average() >= 0.7, $"mean mask IoU of the {found} found objects: {maskIous.Average():0.000}");
    }

    [Fact]
    public void Engine_live_on_the_synthetic_source_writes_json_lines_with_the_demo_detectors_boxes_of_the_actor()
    {
        var json = Path.Combine(_work.FullName, "detect.jsonl");
        var run = CliProcess.RunEngine("live", "--source", "synthetic", "--plugin", "nonlocal-detect", "--plugin-path", PluginCatalogTests.Plugins,
            "--headless", "--json", json, "--frames", "150");
        Assert.True(run.Code == 0, run.Stderr);
        var lines = File.ReadAllLines(json).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal("nonlocal-detect", l.GetProperty("plugin").GetString()));

        // The synthetic source (320x240, seed 1) draws one actor; the detector's best box must be it.
        var scene = SyntheticScene.Random(320, 240, seed: 1);
        var (rgb, instances) = (new byte[320 * 240 * 3], new byte[320 * 240]);
        var matched = 0;
        foreach (var line in lines)
        {
            var boxes = line.GetProperty("boxes").EnumerateArray().ToArray();
            Assert.All(boxes, b => Assert.True(b.GetProperty("score").GetDouble() >= 0.5));
            if (boxes.Length == 0)
                continue;
            var actor = scene.ActorAt(line.GetProperty("frame").GetInt64());
            SyntheticScene.RenderObjects(320, 240, [actor], rgb, instances);
            if (SyntheticScene.InstanceBoxes(instances, 320, 1)[0] is not { } t)
                continue;
            var best = boxes[0];
            var iou = Iou((t.X1, t.Y1, t.X2, t.Y2), (best.GetProperty("x1").GetDouble(), best.GetProperty("y1").GetDouble(), best.GetProperty("x2").GetDouble(), best.GetProperty("y2").GetDouble()));
            matched += iou >= 0.5 && best.GetProperty("label").GetString() == actor.Shape.Label() ? 1 : 0;
        }
        output.WriteLine($"{lines.Length} predictions, {lines.Count(l => l.GetProperty("boxes").GetArrayLength() > 0)} with boxes, {matched} whose best box is the actor");
        Assert.True(matched > 0, $"no prediction's best box is the actor: {string.Join("\n", lines.Select(l => l.ToString()))}");
    }

    public new void Dispose()
    {
        base.Dispose();
        _work.Delete(recursive: true);
    }

    private static double Iou((double X1, double Y1, double X2, double Y2) a, (double X1, double Y1, double X2, double Y2) b)
    {
        var w = Math.Max(0, Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1));
        var h = Math.Max(0, Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1));
        var union = (a.X2 - a.X1) * (a.Y2 - a.Y1) + (b.X2 - b.X1) * (b.Y2 - b.Y1) - w * h;
        return union <= 0 ? 0 : w * h / union;
    }
}
