using System.CommandLine;
using Engine.Contracts;
using Engine.Host;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>`engine plugins`: every plugin found, loaded or skipped, with the reason, and the parameters of those that load.</summary>
internal static class PluginsCommand
{
    private static readonly Option<string[]> _pluginPath = new("--plugin-path") { Description = "Folder to search for plugins (repeatable); default $ENGINE_PLUGIN_PATH and artifacts/plugins." };

    public static Command Create()
    {
        var command = new Command("plugins", "List plugins: found, loaded or skipped (with the reason), and their parameters.");
        command.Options.Add(_pluginPath);
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            var paths = result.GetValue(_pluginPath) is { Length: > 0 } p ? p : PluginCatalog.DefaultSearchPaths();
            var catalog = new PluginCatalog(paths, logging.CreateLogger("plugins"));
            Console.WriteLine($"plugin API {PluginApi.Version}; searched {string.Join(", ", catalog.SearchPaths.DefaultIfEmpty("nothing"))}");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("plugin", "version", "api", "status", "details");
            foreach (var entry in catalog.Entries.ToArray())
            {
                var details = entry.Reason ?? entry.Directory;
                var status = entry.Status;
                if (status == PluginStatus.Found)
                {
                    try
                    {
                        using var plugin = catalog.Load(entry.Id);
                        status = PluginStatus.Loaded;
                        details = string.Join("\n", plugin.Plugin.Parameters.Select(s => $"{s.Name} = {s.Default} {s.RangeText}: {s.Description}").DefaultIfEmpty("(no parameters)"));
                    }
                    catch (EngineException e)
                    {
                        status = PluginStatus.Skipped;
                        details = e.Message;
                    }
                }
                table.AddRow(Markup.Escape(entry.Id), entry.Manifest?.Version.ToString() ?? "", Markup.Escape(entry.Manifest?.Api.Text ?? ""),
                    status switch { PluginStatus.Loaded => "[green]loaded[/]", PluginStatus.Skipped => "[red]skipped[/]", _ => "found" }, Markup.Escape(details));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
