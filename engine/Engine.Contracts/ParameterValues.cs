using System.Globalization;

namespace Engine.Contracts;

/// <summary>Validated parameter values of one plugin (every declared parameter has one).</summary>
public sealed class ParameterValues(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> All { get; } = values;

    public string this[string name] =>
        All.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"parameter '{name}' was not declared");

    public int Int(string name) => int.Parse(this[name], CultureInfo.InvariantCulture);

    public double Float(string name) => double.Parse(this[name], CultureInfo.InvariantCulture);

    public bool Bool(string name) => this[name] == "true";
}
