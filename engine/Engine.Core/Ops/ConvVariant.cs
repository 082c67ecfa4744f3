using System.Globalization;

namespace Engine.Ops;

/// <summary>
/// One way to run a convolution: the kernel and its tile. Its text (<see cref="ToString"/>) is what
/// <see cref="Conv.Variant"/> reports, what `engine bench` prints per node and what the tuner's cache
/// stores, so <see cref="Parse"/> reads back exactly what a run reported: `direct m16 n8`,
/// `gemm m16 n16`, `unfolded m16 n16` (TILE_M pixels by 4 * TILE_N4 channels per invocation),
/// `winograd f4` (outputs per tile along each transformed axis), `grouped`.
/// </summary>
public sealed record ConvVariant(ConvAlgorithm Algorithm, int TileM = 0, int TileN4 = 0, int WinogradTile = 0)
{
    public static ConvVariant Winograd(int tile) => new(ConvAlgorithm.Winograd, WinogradTile: tile);

    public static ConvVariant Grouped { get; } = new(ConvAlgorithm.Grouped);

    /// <summary>True when a register tile is part of the variant (direct, GEMM and unfolded).</summary>
    public bool HasTile => Algorithm is ConvAlgorithm.Direct or ConvAlgorithm.Gemm or ConvAlgorithm.Unfolded;

    public override string ToString() => Algorithm switch
    {
        ConvAlgorithm.Winograd => $"winograd f{WinogradTile}",
        ConvAlgorithm.Grouped => "grouped",
        _ => $"{Algorithm.ToString().ToLowerInvariant()} m{TileM} n{4 * TileN4}",
    };

    /// <summary>The variant of <paramref name="text"/> (as <see cref="ToString"/> writes it), or null when it names none.</summary>
    public static ConvVariant? Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        static int? Number(string part, char prefix) =>
            part.Length > 1 && part[0] == prefix && int.TryParse(part.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        switch (parts)
        {
            case ["grouped"]:
                return Grouped;
            case ["winograd", var f] when Number(f, 'f') is 2 or 4:
                return Winograd(Number(f, 'f')!.Value);
            case [var kind, var m, var n] when Number(m, 'm') is { } tileM && Number(n, 'n') is { } channels && channels % 4 == 0:
                ConvAlgorithm? algorithm = kind switch
                {
                    "direct" => ConvAlgorithm.Direct,
                    "gemm" => ConvAlgorithm.Gemm,
                    "unfolded" => ConvAlgorithm.Unfolded,
                    _ => null,
                };
                return algorithm is { } a ? new ConvVariant(a, tileM, channels / 4) : null;
            default:
                return null;
        }
    }
}
