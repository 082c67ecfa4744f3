namespace WeightConverter.Rules;

/// <summary>A candidate value for a setting and where it would come from.</summary>
internal readonly record struct Choice<T>(T Value, SettingSource Source, string Detail);

/// <summary>Constructors for <see cref="Choice{T}"/>, one per source.</summary>
internal static class Choice
{
    public static Choice<T> File<T>(T value, string key) => new(value, SettingSource.FileConfig, key);

    public static Choice<T> Weights<T>(T value, string what) => new(value, SettingSource.Weights, what);

    public static Choice<T> Rule<T>(T value, string citation) => new(value, SettingSource.FamilyRule, citation);

    public static Choice<T> Flag<T>(T value, string flag) => new(value, SettingSource.Flag, flag);

    public static Choice<T> Default<T>(T value, string why) => new(value, SettingSource.Default, why);

    /// <summary>A flag's choice when it was given.</summary>
    public static Choice<T>? Flag<T>(T? value, string flag) where T : struct => value is { } v ? Flag(v, flag) : null;

    /// <summary>A flag's choice when it was given.</summary>
    public static Choice<string>? Flag(string? value, string flag) => value is null ? null : Flag<string>(value, flag);
}
