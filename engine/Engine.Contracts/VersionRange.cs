namespace Engine.Contracts;

/// <summary>
/// The plugin API versions a plugin supports, written as space-separated comparators, e.g.
/// "&gt;=1.0 &lt;2.0" (every comparator must hold). "^1.2" means "&gt;=1.2.0 &lt;2.0.0".
/// </summary>
public sealed class VersionRange
{
    private readonly List<(string Op, SemanticVersion Version)> _comparators;

    private VersionRange(string text, List<(string, SemanticVersion)> comparators)
    {
        Text = text;
        _comparators = comparators;
    }

    public string Text { get; }

    public static bool TryParse(string? text, out VersionRange? range, out string error)
    {
        range = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the range is empty";
            return false;
        }
        var comparators = new List<(string, SemanticVersion)>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var op = part.StartsWith(">=", StringComparison.Ordinal) || part.StartsWith("<=", StringComparison.Ordinal) ? part[..2]
                : part[0] is '>' or '<' or '^' or '=' ? part[..1] : "=";
            var rest = op == "=" && part[0] != '=' ? part : part[op.Length..];
            if (!SemanticVersion.TryParse(rest, out var version))
            {
                error = $"'{part}' is not a comparator such as >=1.0 or <2.0";
                return false;
            }
            if (op == "^")
            {
                comparators.Add((">=", version));
                comparators.Add(("<", new SemanticVersion(version.Major + 1, 0, 0)));
            }
            else
            {
                comparators.Add((op, version));
            }
        }
        range = new VersionRange(text.Trim(), comparators);
        return true;
    }

    public bool Contains(SemanticVersion version) => _comparators.All(c => c.Op switch
    {
        ">=" => version >= c.Version,
        "<=" => version <= c.Version,
        ">" => version > c.Version,
        "<" => version < c.Version,
        _ => version == c.Version,
    });

    public override string ToString() => Text;
}
