namespace Engine.Ops;

/// <summary>How a GEMM-shaped kernel (<see cref="Gemm"/>, and <see cref="Conv"/>'s implicit GEMM) splits its work.</summary>
public enum Tiling
{
    /// <summary>
    /// Each invocation computes a register tile read straight from the operands' texel buffers, with no
    /// shared memory (shaders/gemm.comp, shaders/ops/conv.comp): the fast form on lavapipe.
    /// </summary>
    Registers,

    /// <summary>
    /// Each workgroup computes a block whose operand chunks it stages in shared memory, each invocation
    /// a 4x4 tile of it (shaders/gemm_shared.comp, shaders/ops/conv_shared.comp): the usual form on GPUs.
    /// </summary>
    SharedMemory,
}
