using System.CommandLine;
using Engine;

namespace WeightConverter.Cli;

/// <summary>Options shared by the commands, and the one place errors become exit code 2.</summary>
internal static class CliOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Stack traces on errors.", Recursive = true };

    public static readonly Option<string?> Dialect = new("--dialect") { Description = "video-nonlocal-net, pyslowfast, mmaction2, torchvision or detectron2 (default: detected)." };

    /// <summary>Runs the command line: an <see cref="EngineException"/> is one line on stderr and exit code 2.</summary>
    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        return CommandLineExit.Run(
            () => parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }),
            () => parsed.GetValue(Verbose),
            Console.Error);
    }
}
