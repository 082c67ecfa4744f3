namespace WeightConverter.Rules;

/// <summary>Where a converted setting came from, in order of authority.</summary>
internal enum SettingSource
{
    /// <summary>The checkpoint's own configuration (PySlowFast `cfg`, mmaction2 `meta.cfg` / `meta.config`).</summary>
    FileConfig,

    /// <summary>The tensors show it (a block's kernel size, a non-local block without theta and phi).</summary>
    Weights,

    /// <summary>The family's code fixes it (the detail cites file and function).</summary>
    FamilyRule,

    /// <summary>A command-line flag.</summary>
    Flag,

    /// <summary>Nothing fixes it: an assumption, printed as a warning.</summary>
    Default,
}
