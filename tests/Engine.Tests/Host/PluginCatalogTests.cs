using Engine.Contracts;
using Engine.Host;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

public sealed class PluginCatalogTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("engine-plugins-");

    public static string TestPlugins => Path.Combine(Fixtures.RepoRoot, "artifacts", "test-plugins");

    public static string Plugins => Path.Combine(Fixtures.RepoRoot, "artifacts", "plugins");

    private string WritePlugin(string folder, string json)
    {
        var dir = Path.Combine(_root.FullName, folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "plugin.json"), json);
        return dir;
    }

    [Fact]
    public void A_plugin_asking_for_another_api_major_is_skipped_with_the_reason_before_it_loads()
    {
        // The assembly named does not even exist: the manifest check must reject the plugin first.
        WritePlugin("future", """{"id": "future", "version": "1.0.0", "api": ">=3.0 <4.0", "assembly": "Future.dll", "type": "Future.Plugin"}""");
        var catalog = new PluginCatalog([_root.FullName], NullLogger.Instance);
        var entry = Assert.Single(catalog.Entries);
        Assert.Equal(PluginStatus.Skipped, entry.Status);
        Assert.Contains(">=3.0 <4.0", entry.Reason);
        Assert.Contains($"implements {PluginApi.Version}", entry.Reason);
        Assert.Contains("another major version", entry.Reason);
        var e = Assert.Throws<EngineException>(() => catalog.Load("future"));
        Assert.Contains("skipped", e.Message);
    }

    [Theory]
    [InlineData("""{"id": "Bad Id", "version": "1.0.0", "api": "^2.0", "assembly": "x.dll", "type": "X"}""", "lowercase")]
    [InlineData("""{"id": "noversion", "api": "^2.0", "assembly": "x.dll", "type": "X"}""", "\"version\" is missing")]
    [InlineData("""{"id": "noasm", "version": "1.0.0", "api": "^2.0", "assembly": "missing.dll", "type": "X"}""", "does not exist")]
    [InlineData("""{"id": "badrange", "version": "1.0.0", "api": "about one", "assembly": "x.dll", "type": "X"}""", "not a comparator")]
    [InlineData("""not json""", "plugin.json")]
    public void Invalid_manifests_are_skipped_with_a_reason(string json, string reason)
    {
        WritePlugin("p", json);
        var entry = Assert.Single(new PluginCatalog([_root.FullName], NullLogger.Instance).Entries);
        Assert.Equal(PluginStatus.Skipped, entry.Status);
        Assert.Contains(reason, entry.Reason);
    }

    [Fact]
    public void Built_plugins_are_found_and_load_into_collectible_contexts_sharing_the_contracts()
    {
        var catalog = new PluginCatalog([TestPlugins, Plugins], NullLogger.Instance);
        Assert.Contains(catalog.Entries, e => e.Id == "nonlocal-action" && e.Status == PluginStatus.Found);
        using var plugin = catalog.Load("colour-head");
        Assert.Equal("TestPlugins.ColourHeadPlugin", plugin.Plugin.GetType().FullName);
        var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(plugin.Plugin.GetType().Assembly)!;
        Assert.True(context.IsCollectible);
        // The contracts type the plugin implements is the host's own.
        Assert.Same(typeof(IPlugin).Assembly, plugin.Plugin.GetType().GetInterfaces().Single(i => i.Name == nameof(IPlugin)).Assembly);
        Assert.Equal(PluginStatus.Loaded, catalog.Entries.Single(e => e.Id == "colour-head").Status);
    }

    [Fact]
    public void Versions_ranges_accept_what_they_state()
    {
        Assert.True(VersionRange.TryParse("^1.2", out var caret, out _));
        Assert.True(caret!.Contains(new SemanticVersion(1, 9, 0)));
        Assert.False(caret.Contains(new SemanticVersion(1, 1, 9)));
        Assert.False(caret.Contains(new SemanticVersion(2, 0, 0)));
        Assert.True(VersionRange.TryParse(">=1.0 <2.0", out var range, out _));
        Assert.True(range!.Contains(new SemanticVersion(1, 0, 0)));
        Assert.False(range.Contains(new SemanticVersion(2, 0, 0)));
    }

    [Fact]
    public void Parameters_come_from_defaults_then_the_settings_file_then_the_command_line_and_are_range_checked()
    {
        ParameterSpec[] specs = [ParameterSpec.Int("top_k", "", 5, 1, 20), ParameterSpec.Choice("crop", "", "centre", "centre", "three")];
        var settings = Path.Combine(_root.FullName, "settings.json");
        File.WriteAllText(settings, """{"nonlocal-action": {"top_k": 3, "crop": "three"}}""");
        var values = PluginSettings.Resolve("nonlocal-action", specs, settings, ["top_k=7"]);
        Assert.Equal(7, values.Int("top_k"));
        Assert.Equal("three", values["crop"]);
        Assert.Contains("outside [1, 20]", Assert.Throws<EngineException>(() => PluginSettings.Resolve("nonlocal-action", specs, null, ["top_k=50"])).Message);
        Assert.Contains("has no parameter 'topk'", Assert.Throws<EngineException>(() => PluginSettings.Resolve("nonlocal-action", specs, null, ["topk=2"])).Message);
        Assert.Contains("not one of", Assert.Throws<EngineException>(() => PluginSettings.Resolve("nonlocal-action", specs, null, ["crop=five"])).Message);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
