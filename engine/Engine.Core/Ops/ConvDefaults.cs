namespace Engine.Ops;

/// <summary>
/// The register tile of shaders/ops/conv.comp, chosen by measurement on lavapipe with `engine bench conv`:
/// 16 pixels x 8 channels beat 8x8 on ResNet-50's layers at 56x56 to 14x14 (larger register tiles won for
/// GEMM too, docs/bench-log.md), but on 7x7 outputs a 16-pixel tile wastes 15 of 64 rows and 8x8 was twice as fast, so the
/// pixel tile drops to 8 when 16 would waste more than 15% of its rows. 1x1 convolutions run as
/// <see cref="Gemm"/> with the same row tile (16 rows was as fast or faster there too).
/// <para>
/// The channel tile: 16 channels beat 8 by 10-25% in CPU time on the I3D R50 layers (3x1x1, 1x3x3 and
/// 1x1, 7x7 to 56x56 outputs); 32 channels was no better and often worse. The 8 invocations of a
/// workgroup walk consecutive channel tiles of the same pixels (<see cref="LaneColumns"/>): on an
/// output with fewer than 8 channel tiles (64 channels are 4 tiles of 16) the other invocations take
/// the next pixel tiles, so 64-channel outputs (the I3D stem and res2) get the 16-channel tile too and
/// ran 25-30% faster in CPU time than with 8 channels (`engine bench conv`, 8x56x56 and the unfolded stem).
/// Other devices may want other tiles: pass them to <see cref="Conv"/>.
/// </para>
/// </summary>
public static class ConvDefaults
{
    public const int TileM = 16;

    public const int SmallTileM = 8;

    public const int TileN4 = 2;

    public const int WideTileN4 = 4;

    /// <summary>Invocations per workgroup of the convolution and GEMM kernels, along the channel tiles.</summary>
    public const int LocalSize = 8;

    /// <summary>The pixel tile for an output of <paramref name="pixels"/> pixels.</summary>
    public static int RowTile(long pixels)
    {
        var padded = (pixels + TileM - 1) / TileM * TileM;
        return padded - pixels > 0.15 * padded ? SmallTileM : TileM;
    }

    /// <summary>The channel tile (vec4s) for an output of <paramref name="channels4"/> vec4 channels.</summary>
    public static int ColumnTile(int channels4) => channels4 >= WideTileN4 * WideTileN4 ? WideTileN4 : TileN4;

    /// <summary>
    /// How many of a workgroup's <see cref="LocalSize"/> invocations walk channel tiles of the same pixels
    /// when the output has <paramref name="columnTiles"/> of them: the largest power of two up to both, so
    /// it divides the workgroup and the remaining invocations take further pixel tiles.
    /// </summary>
    public static int LaneColumns(long columnTiles)
    {
        var lanes = LocalSize;
        while (lanes > 1 && lanes > columnTiles)
            lanes /= 2;
        return lanes;
    }
}
