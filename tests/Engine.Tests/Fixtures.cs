using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Engine.Files;

namespace Engine.Tests;

/// <summary>
/// Test fixtures made by tests/fixtures/gen_NAME.py with Debian's torch (never hand-typed). The
/// generator runs on first use, cached by its hash under $ENGINE_FIXTURES or
/// ~/.cache/nonlocal-engine/fixtures, so `dotnet test` alone works as well as ./engine.sh test.
/// </summary>
public static class Fixtures
{
    private static readonly ConcurrentDictionary<string, JsonElement> _cases = new();

    private static readonly Dictionary<string, string> _ready = [];

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root =>
        Environment.GetEnvironmentVariable("ENGINE_FIXTURES") is { Length: > 0 } root ? root
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "nonlocal-engine", "fixtures");

    /// <summary>The folder of fixture set <paramref name="name"/>, generating it if needed.</summary>
    public static string Dir(string name)
    {
        lock (_ready)
        {
            if (_ready.TryGetValue(name, out var ready))
                return ready;
            var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(RepoRoot, "tests", "fixtures", "generate.py"), "--out", Root, "--only", name])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"fixture generator gen_{name}.py failed:\n{stderr.Result}");
            var dir = Path.Combine(Root, name);
            _ready[name] = dir;
            return dir;
        }
    }

    /// <summary>Case <paramref name="name"/> of set <paramref name="set"/>'s `cases.json` (an object keyed by case), read once per set.</summary>
    public static JsonElement Case(string set, string name) =>
        _cases.GetOrAdd(set, s => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir(s), "cases.json"))).RootElement).GetProperty(name);

    /// <summary>Reads fixture array <paramref name="array"/> (without .npy) of set <paramref name="name"/>.</summary>
    public static NpyArray Npy(string name, string array) => NpyArray.Read(Path.Combine(Dir(name), array + ".npy"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Engine.sln not found above {AppContext.BaseDirectory}");
    }
}
