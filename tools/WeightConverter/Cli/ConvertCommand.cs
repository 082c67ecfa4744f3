using System.CommandLine;
using Spectre.Console;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace WeightConverter.Cli;

/// <summary>`weight-converter convert FILE -o PACKAGE.safetensors`: maps, folds and writes the weight package with a progress bar and a summary.</summary>
internal static class ConvertCommand
{
    /// <summary>Files at least this large get a progress bar.</summary>
    private const long ProgressThreshold = 32 << 20;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The checkpoint (.pkl, .pth, .pyth, .safetensors)." };
        var output = new Option<string>("--output", "-o") { Description = "The weight package to write (.safetensors).", Required = true };
        var inflate = new Option<string?>("--inflate") { Description = "Inflate a 2D ImageNet ResNet into c2d or i3d." };
        var frames = new Option<int?>("--frames") { Description = "Clip length (default: the family's released models)." };
        var rate = new Option<int?>("--sampling-rate") { Description = "Frame sampling rate (default: the family's released models)." };
        var shortSide = new Option<int?>("--short-side") { Description = "Short side frames are resized to (default 256)." };
        var crop = new Option<int?>("--crop") { Description = "Square crop size (default 224)." };
        var nonLocal = new Option<string?>("--nonlocal-mode", "--nonlocal") { Description = "embedded_gaussian or dot_product, where neither the weights nor the file's config tell." };
        var builder = new Option<string?>("--builder") { Description = "video-nonlocal-net's model builder: resnet_video (8-frame releases, default) or resnet_video_org (32x2 and 128x1 releases)." };
        var useScale = new Option<bool?>("--use-scale") { Description = "mmaction2's use_scale (default false, as in the released configs)." };
        var group = new Option<int?>("--nonlocal-group") { Description = "Frames per non-local group (0: attend over the whole clip)." };
        var labels = new Option<string?>("--labels") { Description = "Class names: one per line, classids.json or PySlowFast JSON." };
        var minSize = new Option<int?>("--min-size") { Description = "A detector's transform short side (torchvision's min_size; default 800)." };
        var maxSize = new Option<int?>("--max-size") { Description = "A detector's transform long-side cap (torchvision's max_size; default 1333)." };
        var command = new Command("convert", "Convert a checkpoint into the engine's weight package.")
        {
            file, output, CliOptions.Dialect, inflate, frames, rate, shortSide, crop, nonLocal, builder, useScale, group, labels, minSize, maxSize,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var options = new ConvertOptions
            {
                Dialect = result.GetValue(CliOptions.Dialect),
                Inflate = result.GetValue(inflate),
                Frames = result.GetValue(frames),
                SamplingRate = result.GetValue(rate),
                ShortSide = result.GetValue(shortSide),
                Crop = result.GetValue(crop),
                Instantiation = result.GetValue(nonLocal),
                Builder = result.GetValue(builder),
                UseScale = result.GetValue(useScale),
                Group = result.GetValue(group),
                Labels = result.GetValue(labels) is { } labelPath ? LabelFile.Read(labelPath) : null,
                MinSize = result.GetValue(minSize),
                MaxSize = result.GetValue(maxSize),
            };
            using var checkpoint = CheckpointReader.Open(path);
            var model = DialectDetector.Map(checkpoint, options);
            PackageWriter.EnsureComplete(model);
            var target = result.GetValue(output)!;
            if (checkpoint.FileLength >= ProgressThreshold && AnsiConsole.Profile.Capabilities.Interactive)
            {
                var total = model.Tensors.Sum(t => t.ElementCount * 4);
                AnsiConsole.Progress().Start(context =>
                {
                    var task = context.AddTask("converting", maxValue: total);
                    PackageWriter.Write(model, checkpoint, target, options.Labels, bytes => task.Increment(bytes));
                });
            }
            else
                PackageWriter.Write(model, checkpoint, target, options.Labels);
            var summary = PackageWriter.Summary(model);
            Console.WriteLine($"{path}: {model.Dialect} {model.Architecture["kind"]} (depth {model.Architecture["depth"]}) -> {target}");
            Console.WriteLine($"mapped {summary["mapped"]} tensors into {summary["tensors_written"]}, folded {summary["folded"]} normalisations, skipped {summary["skipped_tensors"]} tensors");
            foreach (var note in model.Source.Notes.Concat(model.Notes))
                Console.WriteLine($"note: {note}");
            foreach (var assumed in model.Derivation?.Warnings ?? [])
                Console.Error.WriteLine($"warning: {assumed.Name} = {assumed.Value} assumed: {assumed.Detail}");
            foreach (var skipped in model.Source.Skipped)
                Console.WriteLine($"skipped: {skipped}");
            return 0;
        });
        return command;
    }
}
