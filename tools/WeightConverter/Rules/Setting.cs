namespace WeightConverter.Rules;

/// <summary>One derived setting of a converted network with where it came from (`weight-converter inspect` prints them).</summary>
/// <param name="Name">The setting, e.g. `nonlocal.instantiation`.</param>
/// <param name="Value">Its value as text.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Detail">The config key, the upstream file and function, the flag, or why a default was assumed.</param>
internal sealed record Setting(string Name, string Value, SettingSource Source, string Detail)
{
    public string SourceText => Source switch
    {
        SettingSource.FileConfig => "file config",
        SettingSource.Weights => "weights",
        SettingSource.FamilyRule => "family rule",
        SettingSource.Flag => "flag",
        _ => "default (warning)",
    };
}
