using Engine.Gpu;
using Engine.Host;
using Engine.Video;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Host;

/// <summary>Hosts as the tests make them.</summary>
internal static class TestHosts
{
    /// <summary>A host of one stream (id: the source's name) with <paramref name="plugins"/> set up from <paramref name="options"/>, as `engine live --source` makes it.</summary>
    public static LiveHost Single(Device display, Device inference, IFrameSource source, IEnumerable<LoadedPlugin> plugins, IReadOnlyList<IPresenter> presenters, LiveOptions options) =>
        new(display, inference, [new StreamSetup(source.Name, source, [.. plugins.Select(p => PluginSetup.FromOptions(p, options))], presenters)], [], options, NullLoggerFactory.Instance);
}
