namespace Engine.Ops;

/// <summary>The kernels a convolution can run as (<see cref="ConvVariant"/>).</summary>
public enum ConvAlgorithm
{
    /// <summary>The implicit-GEMM kernel (shaders/ops/conv.comp) with a register tile.</summary>
    Direct,

    /// <summary>
    /// The implicit GEMM on <see cref="Tiling.SharedMemory"/> (shaders/ops/conv_shared.comp): the tile is a
    /// workgroup's block, staged in shared memory.
    /// </summary>
    SharedDirect,

    /// <summary>A 1x1x1 stride-1 convolution as a plain <see cref="Gemm"/> over (pixels, Cp), with a register tile.</summary>
    Gemm,

    /// <summary>
    /// A 1x1x1 stride-1 convolution as a <see cref="Gemm"/> on <see cref="Tiling.SharedMemory"/>: the
    /// tile is a workgroup's block, staged in shared memory.
    /// </summary>
    SharedGemm,

    /// <summary>The width unfold of a narrow (RGB) input, then the direct kernel with a register tile.</summary>
    Unfolded,

    /// <summary><see cref="WinogradConv"/> with F(2, 3) or F(4, 3) tiles.</summary>
    Winograd,

    /// <summary>The grouped kernel (shaders/ops/conv_grouped.comp): one way only.</summary>
    Grouped,
}
