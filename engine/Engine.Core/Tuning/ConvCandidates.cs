using Engine.Gpu;
using Engine.Ops;

namespace Engine.Tuning;

/// <summary>
/// The variants the tuner times for a convolution besides today's rule (<see cref="Graph.Nodes.ConvNode"/>):
/// every register tile of the kernel the shape runs (direct, GEMM for 1x1x1, unfolded for an RGB stem)
/// from <see cref="TileMs"/> x <see cref="TileN4s"/>, the shared-memory form of the direct or GEMM kernel
/// with each block of <see cref="SharedBlocks"/> that fits the device, and Winograd F(2, 3) and F(4, 3)
/// where the shape is eligible and its scratch fits one binding. A new kernel or tile is one more entry here (and a parity
/// test: tests/Engine.Tests/Tuning/ConvVariantParityTests.cs takes its cases from this list).
/// </summary>
public static class ConvCandidates
{
    /// <summary>Output pixels per invocation (TILE_M of shaders/ops/conv.comp and shaders/gemm.comp).</summary>
    public static IReadOnlyList<int> TileMs { get; } = [8, 16];

    /// <summary>Output channel texels per invocation (TILE_N4: 4, 8 or 16 channels).</summary>
    public static IReadOnlyList<int> TileN4s { get; } = [1, 2, 4];

    /// <summary>
    /// Blocks of the shared-memory kernels (<see cref="Tiling.SharedMemory"/>): rows (pixels) x vec4 columns
    /// (channels) per workgroup, 64x32 and 64x64 (128 and 256 invocations).
    /// </summary>
    public static IReadOnlyList<(int TileM, int TileN4)> SharedBlocks { get; } = [(64, 8), (64, 16)];

    /// <summary>Winograd outputs per tile along each transformed axis.</summary>
    public static IReadOnlyList<int> WinogradTiles { get; } = [2, 4];

    /// <summary>
    /// Today's rule first (<paramref name="defaultVariant"/>), then the tiles of <paramref name="tiled"/>
    /// (null: none, a grouped convolution), then Winograd where <paramref name="spec"/> is eligible and
    /// the scratch for <paramref name="input"/> fits; distinct.
    /// </summary>
    public static IReadOnlyList<ConvVariant> For(Device device, ConvSpec spec, Shape input, ConvVariant defaultVariant, ConvAlgorithm? tiled)
    {
        var candidates = new List<ConvVariant> { defaultVariant };
        if (tiled is { } algorithm)
        {
            foreach (var m in TileMs)
            {
                foreach (var n4 in TileN4s)
                    candidates.Add(new ConvVariant(algorithm, m, n4));
            }
            if (algorithm is ConvAlgorithm.Gemm or ConvAlgorithm.Direct)
            {
                foreach (var (m, n4) in SharedBlocks)
                {
                    if (Gemm.SharedBlockFits(device, m, n4))
                        candidates.Add(new ConvVariant(algorithm == ConvAlgorithm.Gemm ? ConvAlgorithm.SharedGemm : ConvAlgorithm.SharedDirect, m, n4));
                }
            }
        }
        if (spec.IsWinogradEligible)
        {
            foreach (var tile in WinogradTiles)
            {
                if (WinogradConv.ScratchBytes(device, spec, input, tile) > 0)
                    candidates.Add(ConvVariant.Winograd(tile));
            }
        }
        return candidates.Distinct().ToList();
    }
}
