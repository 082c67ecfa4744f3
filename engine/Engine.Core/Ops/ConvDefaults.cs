namespace Engine.Ops;

/// <summary>
/// The register tile of shaders/ops/conv.comp, chosen by measurement on lavapipe with `engine bench conv`:
/// 16 pixels x 8 channels beat 8x8 on ResNet-50's layers at 56x56 to 14x14 (as docs/lavapipe.md found
/// for GEMM), but on 7x7 outputs a 16-pixel tile wastes 15 of 64 rows and 8x8 was twice as fast, so the
/// pixel tile drops to 8 when 16 would waste more than 15% of its rows. 1x1 convolutions run as
/// <see cref="Gemm"/> with the same row tile (16 rows was as fast or faster there too). Other devices
/// may want other tiles: pass them to <see cref="Conv"/>.
/// </summary>
public static class ConvDefaults
{
    public const int TileM = 16;

    public const int SmallTileM = 8;

    public const int TileN4 = 2;

    /// <summary>The pixel tile for an output of <paramref name="pixels"/> pixels.</summary>
    public static int RowTile(long pixels)
    {
        var padded = (pixels + TileM - 1) / TileM * TileM;
        return padded - pixels > 0.15 * padded ? SmallTileM : TileM;
    }
}
