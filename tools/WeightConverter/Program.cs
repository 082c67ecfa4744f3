using System.CommandLine;
using WeightConverter.Cli;

var root = new RootCommand("weight-converter: reads trained checkpoints (pickles, torch.save archives, safetensors) of the non-local video families and torchvision/detectron2 detectors, and writes the engine's weight package.");
root.Options.Add(CliOptions.Verbose);
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return CliOptions.Run(root, args);
