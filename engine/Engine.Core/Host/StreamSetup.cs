using Engine.Video;

namespace Engine.Host;

/// <summary>
/// One stream of a host as it is set up: its id (what predictions carry as their stream, unique in the
/// host), its source (the stream owns it from here on and disposes it), its plugins, and the presenters
/// that are its own (its window, recording, snapshots); outputs shared by every stream are the host's.
/// </summary>
public sealed record StreamSetup(string Id, IFrameSource Source, IReadOnlyList<PluginSetup> Plugins, IReadOnlyList<IPresenter> Presenters);
