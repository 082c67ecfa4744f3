using Engine.Files;

namespace Engine.Tests.Converter;

/// <summary>
/// <see cref="YamlConfig"/> against PyYAML: texts written by yaml.safe_dump (PySlowFast's cfg.dump())
/// in every emitter style, and a hand-written file, each compared with what yaml.safe_load reads.
/// </summary>
public sealed class YamlConfigTests
{
    [Fact]
    public void Safe_dump_texts_read_as_safe_load_reads_them()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var (name, text, expected) in ConfigExpectation.Cases("yaml"))
        {
            count++;
            try
            {
                ConfigExpectation.Compare(YamlConfig.Parse(text, name), expected, name, failures);
            }
            catch (EngineException e)
            {
                failures.Add(e.Message);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(count >= 20, $"only {count} YAML cases");
    }

    [Theory]
    [InlineData("a: &x 1\n", 1, 4, "anchors")]
    [InlineData("a: 1\nb: *x\n", 2, 4, "aliases")]
    [InlineData("a: !!python/tuple [1, 2]\n", 1, 4, "tags")]
    [InlineData("a:\n- !foo 1\n", 2, 3, "tags")]
    [InlineData("a: 1\n---\nb: 2\n", 2, 1, "second document")]
    [InlineData("a: 1\n...\nb: 2\n", 3, 1, "after the end of the document")]
    [InlineData("%YAML 1.1\n---\na: 1\n", 1, 1, "directives")]
    [InlineData("a: |\n  text\n", 1, 4, "block scalars")]
    [InlineData("a: >-\n  text\n", 1, 4, "block scalars")]
    [InlineData("? [a]\n: 1\n", 1, 3, "flow collection as a mapping key")]
    [InlineData("a:\n\t- 1\n", 2, 2, "tab")]
    [InlineData("a: 1\na: 2\n", 2, 1, "twice")]
    [InlineData("- 1\n- 2\n", 1, 1, "not a mapping")]
    [InlineData("a: 'open\n", 1, 4, "never closed")]
    [InlineData("a: [1, 2\n", 1, 4, "never closed")]
    [InlineData("a: \"\\q\"\n", 1, 5, "unknown escape")]
    [InlineData("a: 2001-01-01\n", 1, 4, "timestamp")]
    [InlineData("a: b: c\n", 1, 5, "mapping value")]
    [InlineData("a:\n  b: 1\n c: 2\n", 3, 2, "indentation")]
    [InlineData("a: - 1\n", 1, 4, "block sequence")]
    [InlineData("a: [b: 1]\n", 1, 6, "mapping inside a flow sequence")]
    [InlineData("a: \u0001\n", 1, 4, "non-printable")]
    [InlineData("", 1, 1, "empty")]
    public void Refuses_what_safe_dump_never_writes_naming_line_and_column(string text, int line, int column, string what)
    {
        var e = Assert.Throws<EngineException>(() => YamlConfig.Parse(text, "cfg.yaml"));
        Assert.StartsWith($"cfg.yaml: line {line}, column {column}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("- ", "")]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    public void Nesting_deeper_than_the_bound_is_refused(string open, string close)
    {
        const int depth = 150;
        var text = open == "- "
            ? "a:\n" + string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', 2 * i + 2) + "-\n")) + new string(' ', 2 * depth + 2) + "1\n"
            : "a: " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";
        var e = Assert.Throws<EngineException>(() => YamlConfig.Parse(text, "deep.yaml"));
        Assert.Contains("nesting deeper than 100", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("deep.yaml: line ", e.Message, StringComparison.Ordinal);
    }
}
