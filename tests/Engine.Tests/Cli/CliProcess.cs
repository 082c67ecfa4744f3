using System.Diagnostics;

namespace Engine.Tests.Cli;

/// <summary>Runs the `engine` CLI, another tool of the solution, or the dotnet SDK, as a child process the way a user would, and collects its exit code and output.</summary>
public static class CliProcess
{
    /// <summary>
    /// `engine ARGS` with the caches (pipelines, tuning) in a directory of this test run
    /// (<see cref="TestCacheDirectory"/>), never the user's: a tuning cache there would change which
    /// kernels the tests run.
    /// </summary>
    public static (int Code, string Stdout, string Stderr) RunEngine(params string[] args) =>
        RunEngineWithCache(TestCacheDirectory, args);

    /// <summary>The $ENGINE_CACHE_DIR of <see cref="RunEngine(string[])"/>: one per test run (its pipelines are compiled once), deleted at exit.</summary>
    public static string TestCacheDirectory => _testCache.Value;

    private static readonly Lazy<string> _testCache = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("engine-test-cache-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A child still writing at exit: the temporary directory stays behind.
            }
        };
        return dir;
    });

    /// <summary>As <see cref="RunEngine(string[])"/> with the caches (pipelines, tuning) in <paramref name="cacheDirectory"/> ($ENGINE_CACHE_DIR).</summary>
    public static (int Code, string Stdout, string Stderr) RunEngineWithCache(string cacheDirectory, params string[] args) =>
        Run("dotnet", null, [Path.Combine(AppContext.BaseDirectory, "engine.dll"), .. args], environment: new Dictionary<string, string> { ["ENGINE_CACHE_DIR"] = cacheDirectory });

    public static (int Code, string Stdout, string Stderr) RunConverter(params string[] args) =>
        RunDll(typeof(WeightConverter.Package.PackageWriter).Assembly.Location, args);

    /// <summary>`dotnet DLL ARGS`: another tool the solution builds (tools/bench/OnnxRuntimeBench).</summary>
    public static (int Code, string Stdout, string Stderr) RunDll(string dll, params string[] args) =>
        Run("dotnet", null, [dll, .. args]);

    /// <summary>
    /// As <see cref="RunEngine(string[])"/> for runs bounded by events rather than time: the process is
    /// killed, and the test fails, only after <paramref name="hangGuard"/>, far above any run's length.
    /// </summary>
    public static (int Code, string Stdout, string Stderr) RunEngine(TimeSpan hangGuard, params string[] args) =>
        Run("dotnet", null, [Path.Combine(AppContext.BaseDirectory, "engine.dll"), .. args], hangGuard,
            new Dictionary<string, string> { ["ENGINE_CACHE_DIR"] = TestCacheDirectory });

    /// <summary>
    /// `dotnet ARGS` in <paramref name="directory"/>, outside this test run's MSBuild environment (its
    /// variables would point the child at this build) and without build servers (they outlive the
    /// child and would hold its output pipes open).
    /// </summary>
    public static (int Code, string Stdout, string Stderr) Dotnet(string directory, params string[] args) =>
        Run("dotnet", directory, [.. args, "--disable-build-servers"]);

    private static (int Code, string Stdout, string Stderr) Run(string program, string? directory, string[] args, TimeSpan? hangGuard = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
        };
        if (directory is not null)
        {
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
                start.Environment.Remove(key);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(hangGuard ?? Timeout.InfiniteTimeSpan))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {hangGuard}:\n{stdout.Result}{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
