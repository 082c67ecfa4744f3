using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Files;
using Engine.Video;

namespace Engine.Host;

/// <summary>
/// A deployment in one file (`engine live --config FILE`), JSON or YAML (by extension: .json is
/// JSON, anything else YAML, read by <see cref="YamlConfig"/>):
/// <code>
/// streams:                      # one or more
///   - id: door                  # default: the source text; unique
///     source: synthetic:1       # any `engine live --source`
///     size: 320x240             # optional: WxH
///     fps: 15                   # optional
///     pixel_format: mjpeg       # optional (cameras)
///     loop: false               # optional (files)
///     as_fast_as_possible: false
///     plugins:                  # ids, or mappings with a model and parameters
///       - id: nonlocal-action
///         model: default.safetensors
///         parameters: { top_k: 3 }
/// outputs:                      # all optional, shared by every stream
///   json: predictions.jsonl
///   record: recordings          # a folder: one video per stream
///   mqtt: mqtt://127.0.0.1:1883/nonlocal-engine
///   http: http://127.0.0.1:8080
///   http_token: secret
/// </code>
/// Unknown keys are errors (a misspelt key would otherwise be ignored); every error names the file
/// and the key. Paths are taken as given, relative to the working directory, as on the command line.
/// </summary>
public sealed record HostConfig(IReadOnlyList<StreamConfig> Streams, OutputsConfig Outputs)
{
    public static HostConfig Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"--config {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses <paramref name="text"/>, named <paramref name="path"/> in errors (whose extension picks JSON or YAML).</summary>
    public static HostConfig Parse(string text, string path)
    {
        JsonObject root;
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                root = JsonNode.Parse(text) as JsonObject ?? throw new EngineException($"{path}: the top level must be an object with \"streams\".");
            }
            catch (JsonException e)
            {
                throw new EngineException($"{path}: {e.Message}");
            }
        }
        else
        {
            root = YamlConfig.Parse(text, path);
        }
        var reader = new Reader(path);
        reader.Known(root, "", "streams", "outputs");
        var streams = reader.List(root, "", "streams") ?? throw reader.Error("streams", "missing: list at least one stream");
        if (streams.Count == 0)
            throw reader.Error("streams", "list at least one stream");
        var configs = streams.Select((node, i) => reader.Stream(node, $"streams[{i}]")).ToArray();
        if (configs.GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw reader.Error("streams", $"stream id '{twice.Key}' appears {twice.Count()} times; give each stream its own id");
        var outputs = new OutputsConfig();
        if (root["outputs"] is { } o)
        {
            var map = reader.Map(o, "outputs");
            reader.Known(map, "outputs", [.. OutputsConfig.Keys]);
            outputs = new OutputsConfig(reader.Text(map, "outputs", "json"), reader.Text(map, "outputs", "record"), reader.Text(map, "outputs", "mqtt"),
                reader.Text(map, "outputs", "http"), reader.Text(map, "outputs", "http_token"));
        }
        return new HostConfig(configs, outputs);
    }

    /// <summary>Reads nodes, naming the file and the key in every error.</summary>
    private sealed class Reader(string path)
    {
        public EngineException Error(string key, string what) => new($"{path}: {key}: {what}.");

        private static string Join(string at, string key) => at.Length == 0 ? key : $"{at}.{key}";

        public JsonObject Map(JsonNode node, string at) => node as JsonObject ?? throw Error(at, "expected a mapping");

        public void Known(JsonObject map, string at, params string[] keys)
        {
            if (map.Select(p => p.Key).FirstOrDefault(k => !keys.Contains(k)) is { } unknown)
                throw Error(Join(at, unknown), $"unknown key (known: {string.Join(", ", keys)})");
        }

        public JsonArray? List(JsonObject map, string at, string key) => map[key] switch
        {
            null => null,
            JsonArray list => list,
            _ => throw Error(Join(at, key), "expected a list"),
        };

        /// <summary>A scalar as text (numbers invariant, booleans true/false); null when the key is absent or null.</summary>
        public string? Text(JsonObject map, string at, string key) => map[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
            JsonValue v when v.TryGetValue(out long l) => l.ToString(CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue(out double d) => d.ToString(CultureInfo.InvariantCulture),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
            _ => throw Error(Join(at, key), "expected a string, number or boolean"),
        };

        private bool Bool(JsonObject map, string at, string key) => Text(map, at, key) switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw Error(Join(at, key), $"'{other}' is not true or false"),
        };

        public StreamConfig Stream(JsonNode? node, string at)
        {
            var map = Map(node ?? throw Error(at, "expected a mapping"), at);
            Known(map, at, "id", "source", "size", "fps", "pixel_format", "loop", "as_fast_as_possible", "max_reconnects", "plugins");
            var source = Text(map, at, "source") ?? throw Error(Join(at, "source"), "missing");
            var id = Text(map, at, "id") ?? SourceFactory.ShownName(source);
            if (id.Length == 0)
                throw Error(Join(at, "id"), "empty");
            int? width = null, height = null;
            if (Text(map, at, "size") is { } size)
            {
                var parts = size.Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h) || w < 16 || h < 16)
                    throw Error(Join(at, "size"), $"'{size}' is not WxH, e.g. 640x480 (at least 16x16)");
                (width, height) = (w, h);
            }
            double? fps = null;
            if (Text(map, at, "fps") is { } f)
            {
                if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0))
                    throw Error(Join(at, "fps"), $"'{f}' is not a positive number");
                fps = value;
            }
            int? maxReconnects = null;
            if (Text(map, at, "max_reconnects") is { } m)
            {
                if (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    throw Error(Join(at, "max_reconnects"), $"'{m}' is not a count (0 or more; leave it out to retry forever)");
                maxReconnects = value;
            }
            var options = new SourceOptions
            {
                Width = width,
                Height = height,
                Fps = fps,
                PixelFormat = Text(map, at, "pixel_format"),
                Loop = Bool(map, at, "loop"),
                AsFastAsPossible = Bool(map, at, "as_fast_as_possible"),
                MaxReconnects = maxReconnects,
            };
            var plugins = List(map, at, "plugins") ?? throw Error(Join(at, "plugins"), "missing: list at least one plugin");
            if (plugins.Count == 0)
                throw Error(Join(at, "plugins"), "list at least one plugin");
            return new StreamConfig(id, source, options, [.. plugins.Select((p, i) => Plugin(p, $"{at}.plugins[{i}]"))]);
        }

        private StreamPluginConfig Plugin(JsonNode? node, string at)
        {
            if (node is JsonValue v && v.TryGetValue(out string? bare))
                return new StreamPluginConfig(bare, null, new Dictionary<string, string>(), at);
            var map = Map(node ?? throw Error(at, "expected a plugin id or a mapping"), at);
            Known(map, at, "id", "model", "parameters");
            var id = Text(map, at, "id") ?? throw Error(Join(at, "id"), "missing");
            var parameters = new Dictionary<string, string>();
            if (map["parameters"] is { } p)
            {
                var values = Map(p, Join(at, "parameters"));
                foreach (var (name, _) in values)
                    parameters[name] = Text(values, Join(at, "parameters"), name) ?? throw Error($"{at}.parameters.{name}", "expected a value");
            }
            return new StreamPluginConfig(id, Text(map, at, "model"), parameters, at);
        }
    }
}
