using System.Text.Json;
using static Engine.Tests.Cli.CliProcess;

namespace Engine.Tests.Cli;

/// <summary>`engine new-plugin` as a new author uses it: scaffold outside the repository, build, test, list, run.</summary>
public sealed class NewPluginCommandTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("engine-new-plugin-");

    [Fact]
    public void A_new_plugin_builds_passes_its_tests_loads_and_runs_live_without_edits()
    {
        var dir = Path.Combine(_work.FullName, "ColourStats");
        var create = RunEngine("new-plugin", "ColourStats", "--output", dir);
        Assert.True(create.Code == 0, create.Stderr);
        Assert.Contains("created plugin 'colour-stats'", create.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "lib", "Engine.Contracts.dll")));

        var build = Dotnet(dir, "build");
        Assert.True(build.Code == 0, build.Stdout + build.Stderr);
        var test = Dotnet(dir, "test", "--no-build");
        Assert.True(test.Code == 0, test.Stdout + test.Stderr);
        Assert.Contains("Passed!  - Failed:     0, Passed:     6", test.Stdout);

        var list = RunEngine("plugins", "--plugin-path", dir);
        Assert.True(list.Code == 0, list.Stderr);
        var row = list.Stdout.Split('\n').Single(l => l.Contains("colour-stats", StringComparison.Ordinal));
        Assert.Contains("loaded", row);

        // The generated GLSL head through the host on lavapipe.
        var json = Path.Combine(_work.FullName, "stats.jsonl");
        var live = RunEngine("live", "--source", "synthetic", "--plugin", "colour-stats", "--plugin-path", dir, "--headless", "--frames", "40",
            "--size", "96x64", "--param", "frames=4", "--param", "size=32", "--json", json);
        Assert.True(live.Code == 0, live.Stderr);
        var lines = File.ReadAllLines(json).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var topk = line.GetProperty("topk").EnumerateArray().ToArray();
            Assert.Equal(["blue", "green", "red"], topk.Select(t => t.GetProperty("label").GetString()).Order());
            Assert.Equal(1.0, topk.Sum(t => t.GetProperty("score").GetDouble()), 1e-4);
        }
    }

    [Theory]
    [InlineData("motion-energy")]
    [InlineData("motionEnergy")]
    [InlineData("Engine")]
    [InlineData("1Plugin")]
    public void A_bad_name_is_refused_in_one_line_saying_what_a_name_is(string name)
    {
        var run = RunEngine("new-plugin", name, "--output", Path.Combine(_work.FullName, "x"));
        Assert.Equal(2, run.Code);
        Assert.Contains($"'{name}' is not a plugin name: use a C# type name in PascalCase", run.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "x")));
    }

    [Fact]
    public void An_existing_non_empty_folder_is_refused_and_left_alone()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_work.FullName, "taken"));
        File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "mine");
        var run = RunEngine("new-plugin", "Taken", "--output", dir.FullName);
        Assert.Equal(2, run.Code);
        Assert.Contains("exists and is not empty", run.Stderr);
        Assert.Equal(["notes.txt"], dir.GetFileSystemInfos().Select(f => f.Name));
    }

    public void Dispose() => _work.Delete(recursive: true);
}
