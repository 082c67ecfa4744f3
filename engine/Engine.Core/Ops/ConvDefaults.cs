namespace Engine.Ops;

/// <summary>The register tile of shaders/ops/conv.comp chosen by measurement on lavapipe (`engine bench conv --resnet50`).</summary>
public static class ConvDefaults
{
    public const int TileM = 8;

    public const int TileN4 = 2;
}
