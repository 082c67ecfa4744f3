using System.CommandLine;
using Engine;
using Spectre.Console;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace WeightConverter.Cli;

/// <summary>`weight-converter inspect FILE`: container, dialect, architecture found, tensor table, unknown and missing keys.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The checkpoint (.pkl, .pth, .pyth, .safetensors)." };
        var builder = new Option<string?>("--builder") { Description = "video-nonlocal-net's model builder (resnet_video or resnet_video_org)." };
        var frames = new Option<int?>("--frames") { Description = "Clip length, where the file does not say." };
        var nonLocal = new Option<string?>("--nonlocal-mode") { Description = "The non-local mode, where the file does not say." };
        var command = new Command("inspect", "Show what a checkpoint holds, the architecture derived from it and where each setting came from.") { file, CliOptions.Dialect, builder, frames, nonLocal };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            using var checkpoint = CheckpointReader.Open(path);
            var (state, wrapper) = DialectDetector.Unwrap(checkpoint);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(path)}[/]");
            AnsiConsole.MarkupLine($"container: {Markup.Escape(checkpoint.Container)}{(wrapper is null ? "" : Markup.Escape($", tensors under '{wrapper}'"))}");
            foreach (var (key, value) in checkpoint.Metadata)
                AnsiConsole.MarkupLine($"metadata: {Markup.Escape(key)} = {Markup.Escape(value.Length > 120 ? value[..120] + "..." : value)}");
            var table = new Table().Border(TableBorder.Simple).AddColumn("key").AddColumn("dtype").AddColumn("shape");
            foreach (var (key, tensor) in state.Tensors)
                table.AddRow(Markup.Escape(key), tensor.Type.Name(), tensor.ShapeString);
            AnsiConsole.Write(table);
            MappedModel model;
            try
            {
                model = DialectDetector.Map(checkpoint, new ConvertOptions
                {
                    Dialect = result.GetValue(CliOptions.Dialect),
                    Builder = result.GetValue(builder),
                    Frames = result.GetValue(frames),
                    Instantiation = result.GetValue(nonLocal),
                });
            }
            catch (EngineException e)
            {
                AnsiConsole.MarkupLine($"[red]not convertible:[/] {Markup.Escape(e.Message)}");
                return 2;
            }
            AnsiConsole.MarkupLine($"dialect: {Markup.Escape(model.Dialect)}");
            var architecture = new Table().Border(TableBorder.Simple).Title("architecture").AddColumn("field").AddColumn("value");
            foreach (var (field, value) in model.Architecture)
            {
                if (field == "nonlocal" && value is System.Text.Json.Nodes.JsonArray blocks)
                {
                    foreach (var block in blocks)
                        architecture.AddRow("nonlocal", Markup.Escape(block!.ToJsonString()));
                }
                else
                    architecture.AddRow(Markup.Escape(field), Markup.Escape(value?.ToJsonString() ?? "null"));
            }
            AnsiConsole.Write(architecture);
            if (model.Derivation is { } derivation)
            {
                AnsiConsole.MarkupLine("[bold]where each setting came from[/] (file config, weights, family rule, flag, default)");
                foreach (var setting in derivation.Settings)
                {
                    var source = setting.Source == Rules.SettingSource.Default ? $"[yellow]{setting.SourceText}[/]" : setting.SourceText;
                    AnsiConsole.MarkupLine($"  {Markup.Escape(setting.Name)} = {Markup.Escape(setting.Value)}  [dim]<-[/] {source}: {Markup.Escape(setting.Detail)}");
                }
            }
            foreach (var note in model.Source.Notes.Concat(model.Notes))
                AnsiConsole.MarkupLine($"note: {Markup.Escape(note)}");
            foreach (var skipped in model.Source.Skipped)
                AnsiConsole.MarkupLine($"skipped: {Markup.Escape(skipped)}");
            foreach (var unknown in model.Source.Unknown())
                AnsiConsole.MarkupLine($"[yellow]unknown key:[/] {Markup.Escape(unknown)}");
            foreach (var missing in model.Source.Missing)
                AnsiConsole.MarkupLine($"[red]missing key:[/] {Markup.Escape(missing)}");
            AnsiConsole.MarkupLine($"{model.Source.MappedCount} tensors map to {model.Tensors.Count} package tensors, {model.Folded} normalisations fold, {model.Source.SkippedTensorCount} tensors skipped.");
            return model.Source.Missing.Count > 0 || model.Source.Unknown().Any() ? 2 : 0;
        });
        return command;
    }
}
