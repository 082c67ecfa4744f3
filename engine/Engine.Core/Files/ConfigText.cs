using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Engine.Files;

/// <summary>
/// The text a config reader walks: the characters with CR LF and lone CR read as LF (so columns count
/// the same either way), the source name, and errors as "source: line L, column C: what". Readers bound
/// their nesting by <see cref="MaxDepth"/>, so a hostile file can neither exhaust the stack nor the time.
/// </summary>
public sealed class ConfigText
{
    public const int MaxDepth = 100;

    private readonly List<int> _lineStarts = [0];

    public ConfigText(string text, string source)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        Text = text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;
        Source = source;
        for (var i = 0; i < Text.Length; i++)
        {
            if (Text[i] == '\n')
                _lineStarts.Add(i + 1);
        }
        var nul = Text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
            throw Error(nul, "a NUL character");
    }

    public string Text { get; }

    public string Source { get; }

    public int Length => Text.Length;

    /// <summary>The character at <paramref name="at"/>, or '\0' past the end (the constructor refuses a NUL in the text).</summary>
    public char this[int at] => at < Text.Length ? Text[at] : '\0';

    /// <summary>The 0-based column of offset <paramref name="at"/>.</summary>
    public int Column(int at) => at - _lineStarts[Line(at)];

    public EngineException Error(int at, string what)
    {
        var line = Line(Math.Min(at, Text.Length));
        var column = Math.Min(at, Text.Length) - _lineStarts[line];
        return new EngineException($"{Source}: line {line + 1}, column {column + 1}: {what}");
    }

    /// <summary>Adds <paramref name="key"/> to <paramref name="map"/>, refusing a repeated key (neither producer writes one).</summary>
    public void Add(JsonObject map, string key, JsonNode? value, int at)
    {
        if (!map.TryAdd(key, value))
            throw Error(at, $"key '{key}' appears twice in one mapping");
    }

    /// <summary>A key as json.dumps writes a Python dict key: str as is, int in decimal, True/False/None as true/false/null.</summary>
    public string KeyText(JsonNode? key, int at) => key switch
    {
        null => "null",
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v when v.TryGetValue(out long l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue => throw Error(at, "a float mapping key is not supported"),
        _ => throw Error(at, "a collection cannot be a mapping key"),
    };

    /// <summary>A char for messages: printable as itself in backquotes, otherwise as U+XXXX.</summary>
    public static string Describe(char c) =>
        c == '\0' ? "the end of the text" : char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"`{c}`";

    /// <summary>Appends a Unicode code point (an escape's value) as one or two UTF-16 chars.</summary>
    public static void AppendCodePoint(StringBuilder value, int code)
    {
        if (code < 0x10000)
            value.Append((char)code);
        else
            value.Append(char.ConvertFromUtf32(code));
    }

    /// <summary>The value of a hexadecimal digit, or -1.</summary>
    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private int Line(int at)
    {
        var index = _lineStarts.BinarySearch(at);
        return index >= 0 ? index : ~index - 1;
    }
}
