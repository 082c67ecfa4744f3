using System.Text.Json.Nodes;

namespace Engine.Files;

/// <summary>
/// Reads the YAML that PyYAML's <c>yaml.safe_dump</c> writes for a config of nested dicts, lists, str,
/// int, float, bool and None: PySlowFast stores <c>cfg.dump()</c> in every checkpoint
/// (slowfast/utils/checkpoint.py:save_checkpoint), and yacs' <c>CfgNode.dump</c> (yacs/config.py) is
/// <c>yaml.safe_dump</c> of the config as plain dicts. Plain scalars resolve as PyYAML's YAML 1.1
/// resolver does (yaml/resolver.py); anchors, aliases, tags, block scalars, complex keys, directives and
/// a second document are refused, as is nesting deeper than <see cref="ConfigText.MaxDepth"/>.
/// </summary>
public static class YamlConfig
{
    /// <summary>Parses <paramref name="text"/> (named <paramref name="source"/> in errors) whose top level must be a mapping.</summary>
    public static JsonObject Parse(string text, string source) => new YamlParser(new ConfigText(text, source)).ParseDocument();
}
