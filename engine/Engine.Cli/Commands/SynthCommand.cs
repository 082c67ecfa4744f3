using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Engine.Files;
using Engine.Gpu;
using Engine.Video;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine synth --out DIR --clips N`: clips of the synthetic scene with their ground-truth actions,
/// for training and evaluating the default model: DIR/clip-NNNNN.npy (T, H, W, 3) uint8 and
/// DIR/labels.json ({"labels": [...], "clips": [{"file", "label", "class", "start_frame"}]}).
/// Each clip samples every r-th frame from one scripted action: from its middle, or (`--placement
/// random`, for training) from anywhere inside it.
/// `engine synth --detection --out DIR --images N`: still scenes of 1-5 shapes for the demo detector:
/// DIR/image-NNNNN.npy (H, W, 3) uint8, DIR/instances-NNNNN.npy (H, W) uint8 (object index + 1 visible at
/// each pixel, 0 = background) and DIR/detection.json ({"labels": [...], "width", "height", "images":
/// [{"file", "instances", "objects": [{"instance", "class", "label", "box": [x1, y1, x2, y2]}]}]}), boxes
/// the tight pixel-edge bounds of each object's visible pixels, class the shape kind (0-based).
/// Different seeds give disjoint scenes (the held-out split).
/// </summary>
internal static class SynthCommand
{
    private static readonly Option<string> _out = new("--out") { Description = "Output folder.", Required = true };
    private static readonly Option<int> _clips = new("--clips") { Description = "Number of clips.", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> _frames = new("--frames") { Description = "Frames per clip (T).", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> _rate = new("--sampling-rate") { Description = "Take every r-th frame.", DefaultValueFactory = _ => 4 };
    private static readonly Option<int> _seed = new("--seed") { Description = "Timeline seed.", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> _detection = new("--detection") { Description = "Write still detection scenes (images, instance maps, boxes) instead of action clips." };
    private static readonly Option<int> _images = new("--images") { Description = "Number of detection scenes (with --detection).", DefaultValueFactory = _ => 100 };
    private static readonly Option<string> _size = new("--size") { Description = "Frame size WxH.", DefaultValueFactory = _ => "160x120" };
    private static readonly Option<string> _placement = new("--placement") { Description = "Where a clip lies in its action: centre, or random (seeded by --seed).", DefaultValueFactory = _ => "centre" };

    public static Command Create()
    {
        var command = new Command("synth", "Write clips of the synthetic scene with ground-truth labels.");
        foreach (var o in new Option[] { _out, _detection, _images, _clips, _frames, _rate, _seed, _size, _placement })
            command.Options.Add(o);
        command.SetAction(result =>
        {
            var dir = result.GetValue(_out)!;
            var (count, t, r) = (result.GetValue(_clips), result.GetValue(_frames), result.GetValue(_rate));
            var size = result.GetValue(_size)!.Split('x');
            if (size.Length != 2 || !int.TryParse(size[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(size[1], CultureInfo.InvariantCulture, out var h))
                throw new EngineException($"--size {result.GetValue(_size)}: expected WxH.");
            if (result.GetValue(_detection))
                return WriteDetection(dir, result.GetValue(_images), w, h, result.GetValue(_seed));
            if (count < 1 || t < 1 || r < 1 || (t - 1) * r + 1 > 45)
                throw new EngineException($"--clips, --frames and --sampling-rate must be positive, and a clip ({(t - 1) * r + 1} frames) must fit in the shortest action (45 frames).");
            var placement = result.GetValue(_placement);
            if (placement is not ("centre" or "random"))
                throw new EngineException($"--placement {placement}: expected centre or random.");
            var seed = result.GetValue(_seed);
            var scene = SyntheticScene.Random(w, h, seed, count);
            var starts = scene.ClipStarts(t, r, placement == "random" ? seed : null);
            Directory.CreateDirectory(dir);
            var clips = new List<object>();
            var frame = new byte[w * h * 3];
            for (var i = 0; i < count; i++)
            {
                var e = scene.Events[i];
                var first = starts[i];
                var data = new byte[t * frame.Length];
                for (var k = 0; k < t; k++)
                {
                    scene.Render(first + k * r, frame);
                    frame.CopyTo(data, k * frame.Length);
                }
                var file = string.Create(CultureInfo.InvariantCulture, $"clip-{i:00000}.npy");
                new NpyArray(new Shape(t, h, w, 3), DataType.UInt8, data).Write(Path.Combine(dir, file));
                clips.Add(new { file, label = e.Action.Label(), @class = (int)e.Action, start_frame = first });
            }
            File.WriteAllText(Path.Combine(dir, "labels.json"), JsonSerializer.Serialize(new { labels = SceneActions.Labels, frames = t, sampling_rate = r, seed, placement, clips }));
            Console.WriteLine($"{count} clips of {t} frames ({w}x{h}, every {r}th frame) in {dir}");
            return 0;
        });
        return command;
    }

    private static int WriteDetection(string dir, int count, int w, int h, int seed)
    {
        if (count < 1)
            throw new EngineException($"--images {count}: must be positive.");
        Directory.CreateDirectory(dir);
        var (rgb, instances) = (new byte[w * h * 3], new byte[w * h]);
        var images = new List<object>();
        var total = 0;
        foreach (var (objects, i) in SyntheticScene.DetectionScenes(seed).Take(count).Select((o, i) => (o, i)))
        {
            SyntheticScene.RenderObjects(w, h, objects, rgb, instances);
            var annotations = new List<object>();
            var boxes = SyntheticScene.InstanceBoxes(instances, w, objects.Count);
            for (var k = 0; k < objects.Count; k++)
            {
                if (boxes[k] is { } b)
                    annotations.Add(new { instance = k + 1, @class = (int)objects[k].Shape, label = objects[k].Shape.Label(), box = new[] { b.X1, b.Y1, b.X2, b.Y2 } });
            }
            var file = string.Create(CultureInfo.InvariantCulture, $"image-{i:00000}.npy");
            var map = string.Create(CultureInfo.InvariantCulture, $"instances-{i:00000}.npy");
            new NpyArray(new Shape(h, w, 3), DataType.UInt8, rgb).Write(Path.Combine(dir, file));
            new NpyArray(new Shape(h, w), DataType.UInt8, instances).Write(Path.Combine(dir, map));
            images.Add(new { file, instances = map, objects = annotations });
            total += annotations.Count;
        }
        File.WriteAllText(Path.Combine(dir, "detection.json"), JsonSerializer.Serialize(new { labels = ShapeKinds.Labels, width = w, height = h, images }));
        Console.WriteLine($"{count} detection scenes ({w}x{h}, {total} objects) in {dir}");
        return 0;
    }

}
