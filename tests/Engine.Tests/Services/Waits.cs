namespace Engine.Tests.Services;

/// <summary>Waiting for a state another thread or process reaches (a message arrived, a connection dropped), never for a time.</summary>
public static class Waits
{
    /// <summary>Far above any wait's length on a loaded machine: it only fires on a hang.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    public static async Task Until(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"still waiting after {HangGuard}: {what()}");
            await Task.Delay(10);
        }
    }
}
