using System.Text.Json.Nodes;
using WeightConverter.Config;

namespace Engine.Tests.Converter;

/// <summary>
/// <see cref="PythonLiteralConfig"/> against CPython's parser: mmengine's and mmcv's Config.pretty_text
/// of an I3D non-local config and of awkward values, with and without yapf, and a hand-written file.
/// </summary>
public sealed class PythonLiteralConfigTests
{
    [Fact]
    public void Pretty_texts_read_as_python_parses_them()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var (name, text, expected) in ConfigExpectation.Cases("python"))
        {
            count++;
            try
            {
                ConfigExpectation.Compare(PythonLiteralConfig.Parse(text, name), expected, name, failures);
            }
            catch (EngineException e)
            {
                failures.Add(e.Message);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(count >= 6, $"only {count} Python cases");
    }

    [Theory]
    [InlineData("gpu_ids = range(0, 8)\n", "[0,1,2,3,4,5,6,7]")]
    [InlineData("a = range(3)\n", "[0,1,2]")]
    [InlineData("a = range(10, 0, -3)\n", "[10,7,4,1]")]
    [InlineData("a = range(5, 2)\n", "[]")]
    public void Range_values_pretty_text_writes_read_as_lists(string text, string expected)
    {
        // mmcv's pretty_text writes a range as its repr; mmaction2 0.x tools/train.py sets cfg.gpu_ids = range(...).
        Assert.Equal(expected, PythonLiteralConfig.Parse(text, "meta.config").First().Value!.ToJsonString());
    }

    [Theory]
    [InlineData("a = range(n)\n", "name `n`")]
    [InlineData("a = range(1, 2, 0)\n", "non-zero step")]
    [InlineData("a = range(0, 1000000000)\n", "more than 65536")]
    [InlineData("a = range(1.5)\n", "integer literals")]
    public void Ranges_of_anything_but_small_integer_literals_are_refused(string text, string what)
    {
        var error = Assert.Throws<EngineException>(() => PythonLiteralConfig.Parse(text, "meta.config"));
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigPath_finds_nested_keys_and_nothing_past_a_leaf()
    {
        var (_, text, expected) = ConfigExpectation.Cases("python").Single(c => c.Case == "i3d_nl_mmengine");
        var root = PythonLiteralConfig.Parse(text, "meta.cfg");
        // The expected value of model.backbone.non_local_cfg.mode, walked in the fixture's own encoding.
        JsonNode want = expected;
        foreach (var key in new[] { "model", "backbone", "non_local_cfg", "mode" })
            want = want[1]!.AsArray().Single(e => (string)e![0]! == key)![1]!;
        Assert.Equal((string)want[1]!, (string)ConfigPath.Get(root, "model.backbone.non_local_cfg.mode")!);
        Assert.IsType<JsonArray>(ConfigPath.Get(root, "model.backbone.non_local"));
        Assert.Null(ConfigPath.Get(root, "model.backbone.missing"));
        Assert.Null(ConfigPath.Get(root, "model.backbone.non_local_cfg.mode.deeper"));
        Assert.Null(ConfigPath.Get(root, "model.backbone.non_local.0"));
        Assert.Null(ConfigPath.Get(root, "model.train_cfg"));
    }

    [Theory]
    [InlineData("a = b\n", 1, 5, "name `b` is not a literal")]
    [InlineData("a = open('x')\n", 1, 5, "calling `open`")]
    [InlineData("a = __import__('os').system('ls')\n", 1, 5, "calling `__import__`")]
    [InlineData("a = 1 + 2\n", 1, 7, "operator `+`")]
    [InlineData("a = [1] * 3\n", 1, 9, "operator `*`")]
    [InlineData("a = dict(x=1).x\n", 1, 14, "attribute access")]
    [InlineData("a = [1][0]\n", 1, 8, "subscripts")]
    [InlineData("a = dict(x=1)(2)\n", 1, 14, "calls are not allowed")]
    [InlineData("a = lambda: 1\n", 1, 5, "`lambda` is not allowed")]
    [InlineData("a = [1 for x in y]\n", 1, 8, "comprehensions")]
    [InlineData("a = 1 if 2 else 3\n", 1, 7, "conditional expressions")]
    [InlineData("a = not 1\n", 1, 5, "`not` is not allowed")]
    [InlineData("a = f'{x}'\n", 1, 5, "f-strings")]
    [InlineData("import os\n", 1, 1, "expected `name = value`")]
    [InlineData("a.b = 1\n", 1, 2, "only plain names")]
    [InlineData("a = {1, 2}\n", 1, 7, "sets")]
    [InlineData("a = 1j\n", 1, 5, "complex numbers")]
    [InlineData("a = 012\n", 1, 5, "leading zeros")]
    [InlineData("a = 'x' b'y'\n", 1, 9, "cannot be concatenated")]
    [InlineData("a = dict(**x)\n", 1, 10, "unpacking")]
    [InlineData("a = dict(x=1, x=2)\n", 1, 15, "repeated")]
    [InlineData("a = (1,\n     2\n", 1, 5, "never closed")]
    [InlineData("a = [1)\n", 1, 7, "does not match")]
    [InlineData("  a = 1\n", 1, 3, "indentation")]
    [InlineData("a = 1; b = 2\n", 1, 6, "semicolons")]
    [InlineData("a = b = 1\n", 1, 5, "name `b`")]
    [InlineData("a = 'x\n", 1, 5, "never closed")]
    [InlineData("a = -'x'\n", 1, 5, "a sign applies only to a number")]
    [InlineData("a = '\\N{DASH}'\n", 1, 6, "\\N{...}")]
    [InlineData("a = {(1, 2): 3}\n", 1, 6, "collection cannot be a mapping key")]
    [InlineData("a = $\n", 1, 5, "invalid character")]
    public void Refuses_everything_but_literals_naming_line_and_column(string text, int line, int column, string what)
    {
        var e = Assert.Throws<EngineException>(() => PythonLiteralConfig.Parse(text, "meta.cfg"));
        Assert.StartsWith($"meta.cfg: line {line}, column {column}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("dict(a=", ")")]
    [InlineData("{'a': ", "}")]
    [InlineData("(", ",)")]
    public void Nesting_deeper_than_the_bound_is_refused(string open, string close)
    {
        var text = "a = " + string.Concat(Enumerable.Repeat(open, 150)) + "1" + string.Concat(Enumerable.Repeat(close, 150)) + "\n";
        var e = Assert.Throws<EngineException>(() => PythonLiteralConfig.Parse(text, "deep.py"));
        Assert.Contains("nesting deeper than 100", e.Message, StringComparison.Ordinal);
    }
}
