using System.CommandLine;
using Engine.Gpu;
using Engine.Ops.Detection;

namespace Engine.Cli.Commands;

/// <summary>
/// `engine bench detection-ops`: the detection post-processing ops at realistic sizes with random
/// data (top-k of many candidates, NMS of the top-k, MultiScaleRoIAlign of the proposals, mask
/// pasting), GPU time per op and the median wall time of the whole list.
/// </summary>
internal static class BenchDetectionCommand
{
    public static Command Create()
    {
        var candidates = new Option<int>("--candidates") { Description = "Scored candidates (an RPN level at 800x1088 has 163200).", DefaultValueFactory = _ => 200_000 };
        var k = new Option<int>("--k") { Description = "Top-k kept before NMS.", DefaultValueFactory = _ => 1000 };
        var iou = new Option<float>("--iou") { Description = "NMS IoU threshold.", DefaultValueFactory = _ => 0.7f };
        var image = new Option<string>("--image") { Description = "Padded image HxW (feature maps and mask paste size).", DefaultValueFactory = _ => "800x1088" };
        var channels = new Option<int>("--channels") { Description = "FPN channels.", DefaultValueFactory = _ => 256 };
        var iterations = new Option<int>("--iters") { Description = "Timed runs after one warm-up.", DefaultValueFactory = _ => 5 };
        var command = new Command("detection-ops", "Top-k, NMS, RoIAlign and mask paste at realistic sizes with random data; GPU time per op.")
        {
            candidates, k, iou, image, channels, iterations,
        };
        command.SetAction(result =>
        {
            const int Detections = 100;
            var (n, top, c) = (result.GetValue(candidates), result.GetValue(k), result.GetValue(channels));
            var dims = result.GetValue(image)!.Split('x').Select(int.Parse).ToArray();
            if (dims.Length != 2 || n < top || top < 100)
                throw new EngineException("bench detection-ops: --image HxW, and --k between 100 and --candidates.");
            var (h, w) = (dims[0], dims[1]);
            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            using var device = instance.CreateDevice(CliOptions.DeviceOptions(result, logging));
            var random = new Random(1);
            var boxValues = new float[n * 4];
            for (var i = 0; i < n; i++)
            {
                var (x, y) = (random.NextSingle() * w, random.NextSingle() * h);
                var (bw, bh) = (8 + random.NextSingle() * 200, 8 + random.NextSingle() * 200);
                (boxValues[4 * i], boxValues[4 * i + 1], boxValues[4 * i + 2], boxValues[4 * i + 3]) = (x, y, x + bw, y + bh);
            }
            using var boxes = device.CreateTensor<float>("boxes", new Shape(n, 4), boxValues);
            using var scores = device.CreateTensor<float>("scores", new Shape(n), BenchCommand.RandomFloats(random, n, 4));
            using var topIndices = device.CreateTensor("top", new Shape(top), DataType.Int32);
            using var topCount = device.CreateTensor("top count", new Shape(1), DataType.UInt32);
            using var keep = device.CreateTensor("keep", new Shape(top), DataType.Int32);
            using var keepCount = device.CreateTensor("keep count", new Shape(1), DataType.UInt32);
            using var proposals = device.CreateTensor("proposals", new Shape(top, 4));
            var cp = (c + 3) / 4 * 4;
            var features = Enumerable.Range(2, 4).Select(l => device.CreateTensor<float>($"p{l}", new Shape(1, 1, h >> l, w >> l, cp),
                BenchCommand.RandomFloats(random, (h >> l) * (w >> l) * cp, 1))).ToArray();
            using var pooled = device.CreateTensor("pooled", new Shape(top, 1, 7, 7, cp));
            using var maskLogits = device.CreateTensor<float>("mask logits", new Shape(Detections, 1, 28, 28, 92), BenchCommand.RandomFloats(random, Detections * 28 * 28 * 92, 4));
            using var labels = device.CreateTensor<int>("labels", new Shape(Detections), Enumerable.Range(0, Detections).Select(i => i % 91).ToArray(), DataType.Int32);
            using var masks = device.CreateTensor("masks", new Shape(Detections, h, w));
            // The first proposals stand in for the final detections.
            var detections = new Tensor(proposals.Buffer, proposals.ByteOffset, new Shape(Detections, 4), DataType.Float32, "detections");
            var scratchBytes = Math.Max(TopK.ScratchBytes(n), Nms.ScratchBytes(device, top));
            using var scratch = device.CreateTensor("scratch", new Shape((int)(scratchBytes / 4)));
            try
            {
                var ops = new (string Region, Action<CommandList> Record)[]
                {
                    ("top_k", new TopK(device, scores, topIndices, topCount, scratch).Record),
                    ("nms", new Nms(device, boxes, scores, keep, keepCount, result.GetValue(iou), scratch, topIndices, topCount).Record),
                    ("gather", new Gather(device, boxes, keep, proposals, keepCount).Record),
                    ("roi_align", new RoiAlign(device, features, [0.25f, 0.125f, 0.0625f, 0.03125f], proposals, pooled, RoiAlignOptions.Torchvision(7), keepCount).Record),
                    ("paste_masks", new PasteMasks(device, maskLogits, labels, detections, masks).Record),
                };
                using var list = device.CreateCommandList("bench detection-ops", profile: true);
                foreach (var (region, record) in ops)
                {
                    list.Region = region;
                    record(list);
                }
                list.Finish();
                device.Submit(list).Wait();
                var runs = BenchRuns.Measure(device, list, result.GetValue(iterations), t => t.Region);
                Console.WriteLine($"device: {device.Info.Name}");
                Console.WriteLine($"{n} candidates -> top {top} -> NMS {result.GetValue(iou)} (kept {keepCount.Download<uint>()[0]}) -> RoIAlign 7x7x{c} -> paste {Detections} masks at {h}x{w}; {list.DispatchCount} dispatches");
                foreach (var (region, record) in ops)
                    Console.WriteLine($"  {region,-12} {Statistics.Median(runs.Groups[region]),9:0.00} ms");
                BenchCommand.PrintCpu(runs.CpuPerRun);
                Console.WriteLine($"median {Statistics.Median(runs.Wall):0.00} ms over {runs.Wall.Count} runs");
            }
            finally
            {
                foreach (var f in features)
                    f.Dispose();
            }
            return 0;
        });
        return command;
    }
}
