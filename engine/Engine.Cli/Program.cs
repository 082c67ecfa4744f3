using System.CommandLine;
using Engine.Cli;
using Engine.Cli.Commands;

var root = new RootCommand("nonlocal-engine: live video analysis with non-local neural networks on Vulkan compute.");
foreach (var option in CliOptions.Global)
    root.Options.Add(option);
root.Subcommands.Add(DevicesCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(TuneCommand.Create());
root.Subcommands.Add(RunModelCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(LiveCommand.Create());
root.Subcommands.Add(PluginsCommand.Create());
root.Subcommands.Add(NewPluginCommand.Create());
root.Subcommands.Add(SourcesCommand.Create());
root.Subcommands.Add(SynthCommand.Create());
return CliOptions.Run(root, args);
