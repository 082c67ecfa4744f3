using System.Globalization;

namespace Engine.Ops;

/// <summary>
/// One way to run a convolution: the kernel and its tile. Its text (<see cref="ToString"/>) is what
/// <see cref="Conv.Variant"/> reports, what `engine bench` prints per node and what the tuner's cache
/// stores, so <see cref="Parse"/> reads back exactly what a run reported: `direct m16 n8`,
/// `gemm m16 n16`, `unfolded m16 n16` (TILE_M pixels by 4 * TILE_N4 channels per invocation),
/// `direct-shared m64 n64` and `gemm-shared m64 n64` (a workgroup's block of pixels by channels,
/// <see cref="Tiling.SharedMemory"/>),
/// `winograd f4` (outputs per tile along each transformed axis), `grouped`.
/// </summary>
public sealed record ConvVariant(ConvAlgorithm Algorithm, int TileM = 0, int TileN4 = 0, int WinogradTile = 0)
{
    public static ConvVariant Winograd(int tile) => new(ConvAlgorithm.Winograd, WinogradTile: tile);

    public static ConvVariant Grouped { get; } = new(ConvAlgorithm.Grouped);

    /// <summary>True when a tile is part of the variant (every algorithm but Winograd and grouped).</summary>
    public bool HasTile => Algorithm is not (ConvAlgorithm.Winograd or ConvAlgorithm.Grouped);

    /// <summary>How the kernel of a variant with a tile splits its work.</summary>
    public Tiling Tiling => Algorithm is ConvAlgorithm.SharedDirect or ConvAlgorithm.SharedGemm ? Tiling.SharedMemory : Tiling.Registers;

    public override string ToString() => Algorithm switch
    {
        ConvAlgorithm.Winograd => $"winograd f{WinogradTile}",
        ConvAlgorithm.Grouped => "grouped",
        ConvAlgorithm.SharedGemm => $"gemm-shared m{TileM} n{4 * TileN4}",
        ConvAlgorithm.SharedDirect => $"direct-shared m{TileM} n{4 * TileN4}",
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
                    "gemm-shared" => ConvAlgorithm.SharedGemm,
                    "direct-shared" => ConvAlgorithm.SharedDirect,
                    "unfolded" => ConvAlgorithm.Unfolded,
                    _ => null,
                };
                return algorithm is { } a ? new ConvVariant(a, tileM, channels / 4) : null;
            default:
                return null;
        }
    }
}
