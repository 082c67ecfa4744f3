namespace Engine.Ops;

/// <summary>
/// The register tile of shaders/ops/conv.comp on lavapipe, chosen with `engine bench conv`: 16 pixels
/// per invocation, 8 where a 16-pixel tile would waste more than 15% of its rows (7x7 outputs waste
/// 15 of 64), since the idle rows cost more than the smaller tile; 1x1 convolutions run as
/// <see cref="Gemm"/> with the same row tile.
/// <para>
/// The channel tile: 16 channels from 64 output channels up, else 8 (wider tiles were no better). The 8
/// invocations of a workgroup walk consecutive channel tiles of the same pixels (<see cref="LaneColumns"/>):
/// on an output with fewer than 8 channel tiles (64 channels are 4 tiles of 16) the other invocations
/// take the next pixel tiles, so 64-channel outputs (the I3D stem and res2) get the 16-channel tile with
/// no idle lanes. Measurements: docs/bench-log.md, 2026-11-21 and 2026-11-22.
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
