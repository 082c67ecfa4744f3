using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.Models;

/// <summary>
/// Reads a weight package's <c>architecture</c> metadata (snake_case keys, unknown keys skipped so newer
/// converters stay readable) into its record; a malformed entry names the package.
/// </summary>
internal static class ArchitectureJson
{
    private static readonly JsonSerializerOptions _options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static T Read<T>(JsonElement json, string source) where T : class
    {
        T? arch;
        try
        {
            arch = json.Deserialize<T>(_options);
        }
        catch (JsonException e)
        {
            throw new EngineException($"{source}: architecture: {e.Message}");
        }
        return arch ?? throw new EngineException($"{source}: architecture is null.");
    }

    /// <summary>Refuses an architecture that parsed but describes no buildable network.</summary>
    public static void Require(bool ok, string source, string message)
    {
        if (!ok)
            throw new EngineException($"{source}: architecture: {message}.");
    }
}
