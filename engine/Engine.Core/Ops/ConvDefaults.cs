namespace Engine.Ops;

/// <summary>
/// The register tile of shaders/ops/conv.comp, chosen by measurement on lavapipe with `engine bench conv
/// --resnet50`: 16 pixels x 8 channels beat 8x8 in every interleaved pair of runs (about 25% on a
/// loaded machine), as docs/lavapipe.md found for GEMM. Other devices may want others: pass tiles.
/// </summary>
public static class ConvDefaults
{
    public const int TileM = 16;

    public const int TileN4 = 2;
}
