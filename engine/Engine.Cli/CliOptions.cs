using System.CommandLine;
using Engine.Gpu;
using Engine.Tuning;
using Microsoft.Extensions.Logging;

namespace Engine.Cli;

/// <summary>Options every command takes, and the one place errors become exit codes.</summary>
internal static class CliOptions
{
    public static readonly Option<int?> Device = new("--device") { Description = "Index of the Vulkan device to use (see `engine devices`); default: the most capable.", Recursive = true };
    public static readonly Option<bool> Validation = new("--validation") { Description = "Load the Khronos validation layer and report its messages.", Recursive = true };
    public static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Debug logging, and stack traces on errors.", Recursive = true };

    public static readonly Option<bool> NoTuning = new("--no-tuning")
    {
        Description = "Ignore the tuner's cache for this device (`engine tune`): every layer runs today's default kernels.",
        Recursive = true,
    };

    /// <summary>`--tune` of the commands that compile a network (bench, live): tune the shapes the cache lacks at compile.</summary>
    public static readonly Option<bool> Tune = new("--tune")
    {
        Description = "Before compiling, time the kernel variants of every layer shape the tuning cache lacks on this device and cache the fastest (seconds to minutes on a CPU device).",
    };

    /// <summary>`--precision` of the commands that compile a network (run-model, bench, tune, live, demo): how weights are stored.</summary>
    public static readonly Option<string> Precision = PrecisionOption();

    public static IEnumerable<Option> Global => [Device, Validation, Verbose, NoTuning];

    private static Option<string> PrecisionOption()
    {
        var option = new Option<string>("--precision")
        {
            Description = "Weight storage: fp32, or fp16 (half the weight bytes, read as rgba16f texels and accumulated in fp32; "
                + "`engine devices` says whether the device can). Activations stay fp32.",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "fp16");
        return option;
    }

    /// <summary>The weight storage `--precision` asks for.</summary>
    public static DataType WeightStorage(ParseResult result) => result.GetValue(Precision) == "fp16" ? DataType.Float16 : DataType.Float32;

    public static ILoggerFactory Logging(ParseResult result) => LoggerFactory.Create(builder => builder
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        })
        .SetMinimumLevel(result.GetValue(Verbose) ? LogLevel.Debug : LogLevel.Warning));

    /// <summary>The command's one Vulkan instance (`--validation`); <paramref name="extensions"/> are a window's surface extensions.</summary>
    public static Instance Instance(ParseResult result, ILoggerFactory logging, IReadOnlyList<string>? extensions = null) =>
        Gpu.Instance.Create(result.GetValue(Validation), logging, extensions);

    public static DeviceOptions DeviceOptions(ParseResult result, ILoggerFactory logging) => new()
    {
        DeviceIndex = result.GetValue(Device),
        LoggerFactory = logging,
        // The tuner's cache is read unless --no-tuning; tuning at compile is opt-in (--tune), never implicit.
        Tuning = result.GetValue(NoTuning) ? TuningMode.Off
            : result.CommandResult.Command.Options.Contains(Tune) && result.GetValue(Tune) ? TuningMode.TuneAtCompile
            : TuningMode.Cached,
    };

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
