namespace Engine.Ops;

/// <summary>
/// The register tile of shaders/ops/conv.comp, chosen by measurement on lavapipe with `engine bench conv`:
/// 16 pixels x 8 channels beat 8x8 on ResNet-50's layers at 56x56 to 14x14 (as docs/lavapipe.md found
/// for GEMM), but on 7x7 outputs a 16-pixel tile wastes 15 of 64 rows and 8x8 was twice as fast, so the
/// pixel tile drops to 8 when 16 would waste more than 15% of its rows. 1x1 convolutions run as
/// <see cref="Gemm"/> with the same row tile (16 rows was as fast or faster there too).
/// <para>
/// The channel tile: the 8 invocations of a workgroup walk consecutive channel tiles of the same
/// pixels, so a tile of 16 channels leaves half of them idle on a 64-channel output. Where every
/// invocation still gets a tile (128 channels and more), 16 channels beat 8 by 10-25% in CPU time on
/// the I3D R50 layers (3x1x1, 1x3x3 and 1x1, 7x7 to 56x56 outputs); 32 channels was no better and often
/// worse. Other devices may want other tiles: pass them to <see cref="Conv"/>.
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
    public static int ColumnTile(int channels4) => channels4 >= WideTileN4 * LocalSize ? WideTileN4 : TileN4;
}
