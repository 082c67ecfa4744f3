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
/// </summary>
internal static class SynthCommand
{
    private static readonly Option<string> _out = new("--out") { Description = "Output folder.", Required = true };
    private static readonly Option<int> _clips = new("--clips") { Description = "Number of clips.", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> _frames = new("--frames") { Description = "Frames per clip (T).", DefaultValueFactory = _ => 8 };
    private static readonly Option<int> _rate = new("--sampling-rate") { Description = "Take every r-th frame.", DefaultValueFactory = _ => 4 };
    private static readonly Option<int> _seed = new("--seed") { Description = "Timeline seed.", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> _size = new("--size") { Description = "Frame size WxH.", DefaultValueFactory = _ => "160x120" };
    private static readonly Option<string> _placement = new("--placement") { Description = "Where a clip lies in its action: centre, or random (seeded by --seed).", DefaultValueFactory = _ => "centre" };

    public static Command Create()
    {
        var command = new Command("synth", "Write clips of the synthetic scene with ground-truth labels.");
        foreach (var o in new Option[] { _out, _clips, _frames, _rate, _seed, _size, _placement })
            command.Options.Add(o);
        command.SetAction(result =>
        {
            var dir = result.GetValue(_out)!;
            var (count, t, r) = (result.GetValue(_clips), result.GetValue(_frames), result.GetValue(_rate));
            var size = result.GetValue(_size)!.Split('x');
            if (size.Length != 2 || !int.TryParse(size[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(size[1], CultureInfo.InvariantCulture, out var h))
                throw new EngineException($"--size {result.GetValue(_size)}: expected WxH.");
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
}
