using System.Text.Json;
using System.Text.RegularExpressions;
using Engine.Contracts;

namespace Engine.Host;

/// <summary>
/// A plugin's `plugin.json`, checked before any of its code loads:
/// <code>
/// { "id": "nonlocal-action", "version": "1.0.0", "api": "&gt;=1.0 &lt;2.0", "assembly": "NonLocalAction.dll",
///   "type": "NonLocalAction.NonLocalActionPlugin", "model": "path/or/null", "shaders": "shaders", "description": "..." }
/// </code>
/// Relative paths are relative to the plugin's folder.
/// </summary>
public sealed partial record PluginManifest(string Directory, string Id, SemanticVersion Version, VersionRange Api, string AssemblyPath,
    string TypeName, string? DefaultModel, string? ShaderDirectory, string Description)
{
    public const string FileName = "plugin.json";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();

    /// <summary>Reads and checks the manifest in <paramref name="directory"/> against the host's API version.</summary>
    public static PluginManifest Read(string directory, SemanticVersion hostApi)
    {
        var path = Path.Combine(directory, FileName);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new EngineException($"{path}: expected a JSON object.");

        string Required(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                throw new EngineException($"{path}: \"{key}\" is missing or not a string.");
            return v.GetString()!;
        }

        string? Optional(string key) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;

        var id = Required("id");
        if (!IdPattern().IsMatch(id))
            throw new EngineException($"{path}: id '{id}' must be lowercase letters, digits and dashes.");
        if (!SemanticVersion.TryParse(Required("version"), out var version))
            throw new EngineException($"{path}: version '{Required("version")}' is not MAJOR.MINOR.PATCH.");
        if (!VersionRange.TryParse(Required("api"), out var api, out var error))
            throw new EngineException($"{path}: api range '{Required("api")}': {error}.");
        if (!api!.Contains(hostApi))
            throw new EngineException($"plugin '{id}' supports plugin API {api}, but this host implements {hostApi}{(hostApi.Major != MajorOf(api) ? " (another major version)" : "")}.");
        var assembly = Path.GetFullPath(Path.Combine(directory, Required("assembly")));
        if (!File.Exists(assembly))
            throw new EngineException($"plugin '{id}': its assembly {assembly} does not exist (build the plugin?).");
        var model = Optional("model") is { } m ? Path.GetFullPath(Path.Combine(directory, m)) : null;
        var shaders = Optional("shaders") is { } s ? Path.GetFullPath(Path.Combine(directory, s)) : null;
        if (shaders is not null && !System.IO.Directory.Exists(shaders))
            throw new EngineException($"plugin '{id}': its shader folder {shaders} does not exist.");
        return new PluginManifest(Path.GetFullPath(directory), id, version, api, assembly, Required("type"), model, shaders, Optional("description") ?? "");
    }

    private static int? MajorOf(VersionRange range) =>
        SemanticVersion.TryParse(range.Text.TrimStart('>', '=', '^', '<').Split(' ')[0], out var v) ? v.Major : null;
}
