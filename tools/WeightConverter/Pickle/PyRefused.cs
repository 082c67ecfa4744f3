namespace WeightConverter.Pickle;

/// <summary>
/// An inert placeholder for a global outside the allow-list and for anything built from it. Nothing is
/// imported or called: the object only remembers the global's name, so a reader that needs the value
/// refuses it by name, and one that skips it (mmengine's training extras) can say what it skipped.
/// </summary>
internal sealed record PyRefused(string Global);
