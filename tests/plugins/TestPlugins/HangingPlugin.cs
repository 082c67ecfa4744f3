namespace TestPlugins;

/// <summary>A plugin that never returns from the stage named by `hang_in` (configure, build or interpret), to test the host's watchdog.</summary>
public sealed class HangingPlugin() : FaultyPlugin("hang_in", "the stage that never returns")
{
    protected override void Fail(string stage) => Thread.Sleep(Timeout.Infinite);
}
