namespace TestPlugins;

/// <summary>A plugin that throws at the stage named by `throw_in` (configure, build or interpret).</summary>
public sealed class ThrowingPlugin() : FaultyPlugin("throw_in", "the stage that throws")
{
    protected override void Fail(string stage) => throw new InvalidOperationException($"test plugin failure in {stage}");
}
