namespace WeightConverter.Pickle;

/// <summary>A global the allow-list admits (a class or function the pickle names), resolved to a C# stand-in by <see cref="PickleGlobals"/>.</summary>
internal sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}
