namespace Engine.Ops;

/// <summary>How <see cref="NonLocalBlock"/> computes softmax attention.</summary>
public enum AttentionKernel
{
    /// <summary>Per key block: logits into a score buffer, an online-softmax pass, then P x g (three dispatches per block).</summary>
    Blocked,

    /// <summary>One dispatch: per query tile, logits, online softmax and P x g over key chunks in registers; no score buffer.</summary>
    Fused,
}

/// <summary>
/// The attention kernel of a non-local block and the fused kernel's tile, and how the block's GEMMs
/// (theta, phi and g, the output) split their work. Only the softmax instantiations (Gaussian, embedded
/// Gaussian) have a fused kernel; dot product and concatenation ignore <see cref="Kernel"/> (dot product
/// runs factored, concatenation blocked).
/// </summary>
/// <param name="Kernel">Blocked (the default: on lavapipe fused is no faster on the I3D R50 res3 and res4 blocks, docs/bench-log.md 2026-12-07) or fused.</param>
/// <param name="QueryTile">Queries per invocation of the fused kernel (1 to 32).</param>
/// <param name="KeyChunk">
/// The largest key chunk of the fused kernel (<see cref="ChunkFor"/> balances the chunks of a
/// block), a multiple of 4 from 4 to 128, with at most 2048 query-key pairs per tile. Each chunk
/// reads and writes the query tile's y once, so the largest chunk that stays correct and compiles in
/// reasonable time is the default (docs/bench-log.md 2026-12-07). Why the limits: CHUNK4 = chunk / 4
/// &lt;= 32, so each loop over a register array is fully unrolled (past NIR's unroll limit of 32
/// iterations the arrays are indexed dynamically: lavapipe, Mesa 22.3.6, then ran slower and
/// computed wrong results); the pair cap because the chunk's scores are an unrolled register tile of
/// that size, and a 32 x 128 tile took minutes to compile on lavapipe.
/// </param>
/// <param name="Gemms">
/// The block's GEMMs: register tiles (the default: a 1x1 convolution's tile of the same shape) or
/// shared-memory blocks of <see cref="Gemm.DefaultSharedBlock"/> where the device's workgroup limits allow.
/// </param>
public sealed record NonLocalAttention(AttentionKernel Kernel = AttentionKernel.Blocked, int QueryTile = 16, int KeyChunk = 128,
    Tiling Gemms = Tiling.Registers)
{

    /// <summary>Today's choice: blocked attention.</summary>
    public static NonLocalAttention Default { get; } = new();

    /// <summary>The fused kernel with its default tile.</summary>
    public static NonLocalAttention Fused { get; } = new(AttentionKernel.Fused);

    /// <summary>
    /// The key chunk the fused kernel uses for <paramref name="keys"/> keys per segment: as few chunks
    /// as <see cref="KeyChunk"/> allows, each the smallest multiple of 4 that covers the keys in that
    /// many chunks, so the last chunk wastes little (I3D R50 res4, 392 keys: 4 chunks of 100 instead
    /// of 4 of 128, a quarter of whose keys would be padding).
    /// </summary>
    public int ChunkFor(int keys)
    {
        var chunks = (keys + KeyChunk - 1) / KeyChunk;
        var chunk = (keys + chunks - 1) / chunks;
        return (chunk + 3) / 4 * 4;
    }

    /// <summary>Checks the tile sizes (they become specialization constants, unrolled loops of those trip counts).</summary>
    public void Validate()
    {
        if (QueryTile is < 1 or > 32)
            throw new EngineException($"non-local: fused attention query tile {QueryTile} must be 1 to 32.");
        if (KeyChunk is < 4 or > 128 || KeyChunk % 4 != 0)
            throw new EngineException($"non-local: fused attention key chunk {KeyChunk} must be a multiple of 4 from 4 to 128 (CHUNK4 = chunk / 4 <= 32: each loop over a register array fully unrolled).");
        if (QueryTile * KeyChunk > 2048)
            throw new EngineException($"non-local: fused attention query tile {QueryTile} x key chunk {KeyChunk} exceeds 2048 query-key pairs per tile.");
    }
}
