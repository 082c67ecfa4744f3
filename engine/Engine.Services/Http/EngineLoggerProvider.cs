using Microsoft.Extensions.Logging;

namespace Engine.Services.Http;

/// <summary>
/// Hands the web host's loggers to the engine's logger factory, so Kestrel's warnings and errors
/// appear in the engine's log; the web host's own filter keeps its per-request lines out of it.
/// </summary>
internal sealed class EngineLoggerProvider(ILoggerFactory engine) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => engine.CreateLogger(categoryName);

    /// <summary>The engine's factory belongs to the engine, which disposes it.</summary>
    public void Dispose() { }
}
