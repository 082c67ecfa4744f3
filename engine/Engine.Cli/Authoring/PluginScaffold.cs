using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Engine.Contracts;

namespace Engine.Cli.Authoring;

/// <summary>
/// Writes a new plugin folder from the templates embedded in this assembly (Templates/Plugin): a
/// solution with the plugin project and its test project, plugin.json, a GLSL head, a README, and the
/// plugin API assembly copied into lib/. The project references that copy (never the engine's
/// sources), so the folder builds with plain `dotnet build` wherever it lives, inside this repository
/// or not, and compiles against exactly the API version its plugin.json declares.
/// </summary>
internal static partial class PluginScaffold
{
    private const string Prefix = "Templates/Plugin/";

    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,47}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")]
    private static partial Regex WordBoundary();

    [GeneratedRegex(@"\{\{\w+\}\}")]
    private static partial Regex Token();

    /// <summary>The plugin id for a name: MotionEnergy -> motion-energy, RGBStats -> rgb-stats.</summary>
    public static string IdFor(string name) => WordBoundary().Replace(name, "-").ToLowerInvariant();

    /// <summary>Writes plugin <paramref name="name"/> into <paramref name="directory"/> (created; must be empty if it exists); returns the files written.</summary>
    public static IReadOnlyList<string> Create(string name, string directory)
    {
        if (!NamePattern().IsMatch(name) || name is "Engine" or "Xunit")
        {
            throw new EngineException($"new-plugin: '{name}' is not a plugin name: use a C# type name in PascalCase, letters and digits " +
                "starting with a capital, at most 48 characters (e.g. MotionEnergy), and not Engine or Xunit.");
        }
        directory = Path.GetFullPath(directory);
        if (File.Exists(directory))
            throw new EngineException($"new-plugin: {directory} is a file.");
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new EngineException($"new-plugin: {directory} exists and is not empty; choose another --output.");

        var api = PluginApi.Version;
        var tokens = new Dictionary<string, string>
        {
            ["Name"] = name,
            ["Id"] = IdFor(name),
            ["ApiRange"] = $"^{api.Major}.{api.Minor}",
            ["TargetFramework"] = $"net{Environment.Version.Major}.{Environment.Version.Minor}",
            ["TestSdkVersion"] = PackageVersion("Microsoft.NET.Test.Sdk"),
            ["XunitVersion"] = PackageVersion("xunit"),
            ["XunitRunnerVersion"] = PackageVersion("xunit.runner.visualstudio"),
        };
        var assembly = typeof(PluginScaffold).Assembly;
        var written = new List<string>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var relative = resource[Prefix.Length..].Replace("__Name__", name, StringComparison.Ordinal);
            if (relative == "gitignore")
                relative = ".gitignore"; // stored without the dot so no tool treats it as this repository's
            var text = Fill(Read(assembly, resource), tokens);
            if (Token().Match(text) is { Success: true } left)
                throw new EngineException($"new-plugin: template {resource} has an unknown token {left.Value}.");
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            written.Add(path);
        }

        var contracts = typeof(IPlugin).Assembly.Location;
        var lib = Path.Combine(directory, "lib");
        Directory.CreateDirectory(lib);
        foreach (var file in new[] { contracts, Path.ChangeExtension(contracts, ".xml") }.Where(File.Exists))
        {
            var target = Path.Combine(lib, Path.GetFileName(file));
            File.Copy(file, target);
            written.Add(target);
        }
        return written;
    }

    private static string Fill(string text, Dictionary<string, string> tokens) =>
        tokens.Aggregate(text, (t, token) => t.Replace($"{{{{{token.Key}}}}}", token.Value, StringComparison.Ordinal));

    /// <summary>A package version from the repository's Directory.Packages.props (embedded at build).</summary>
    private static string PackageVersion(string package)
    {
        var props = XDocument.Parse(Read(typeof(PluginScaffold).Assembly, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").FirstOrDefault(e => (string?)e.Attribute("Include") == package)?.Attribute("Version")?.Value
            ?? throw new EngineException($"new-plugin: Directory.Packages.props has no version of {package}.");
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new EngineException($"new-plugin: resource {resource} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
