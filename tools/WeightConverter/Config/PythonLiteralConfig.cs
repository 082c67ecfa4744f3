using System.Text.Json.Nodes;
using Engine.Files;

namespace WeightConverter.Config;

/// <summary>
/// Reads the Python text that mmengine's and mmcv's <c>Config.pretty_text</c> write (mmengine
/// mmengine/config/config.py, mmcv 1.x mmcv/utils/config.py): mmaction2 1.x keeps it in a checkpoint's
/// <c>meta['cfg']</c>, 0.x in <c>meta['config']</c>. The text is a run of <c>name = expr</c> statements
/// whose expressions are literals only: <c>dict(k=v, ...)</c>, <c>dict({...})</c>, <c>{k: v}</c>,
/// lists, tuples (read as arrays), strings, numbers, True, False and None. Anything else (names, other
/// calls, operators, attributes, lambdas, comprehensions, f-strings) is refused with its line and
/// column; nothing is ever evaluated.
/// </summary>
internal static class PythonLiteralConfig
{
    /// <summary>Parses <paramref name="text"/> (named <paramref name="source"/> in errors) into one object keyed by the assigned names.</summary>
    public static JsonObject Parse(string text, string source) => new PythonLiteralParser(new ConfigText(text, source)).ParseModule();
}
