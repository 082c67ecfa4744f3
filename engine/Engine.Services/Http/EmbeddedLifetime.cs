using Microsoft.Extensions.Hosting;

namespace Engine.Services.Http;

/// <summary>
/// The web host's lifetime inside the engine's process: it waits for nothing and listens to no
/// signal. The default (ConsoleLifetime) would take Ctrl-C and SIGTERM for itself and stop the web
/// host on its own; here the engine's session owns Ctrl-C and stops the server when it ends.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
