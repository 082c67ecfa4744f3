#version 450
// C[z][M,N] = act(A[z][M,K] * B[z][K,N] + bias[N] + R[z][M,N]) as shaders/gemm.comp (the same
// bindings, push constants, batch and epilogue; B fp16 in the f16w build), for devices with fast
// workgroup shared memory (GPUs). The register-tiled kernel reads every operand texel once per
// invocation that needs it; here a workgroup computes a BLOCK_M x (4 * BLOCK_N4) block of C and, per
// chunk of CHUNK_K values of k, its invocations first stage the A and B texels of the block in
// shared memory (each texel read from memory once per workgroup), then each invocation accumulates
// its 4 rows x 4 columns from shared memory. On lavapipe shared memory and barriers are slow, so the
// tuner (engine tune) offers this kernel to every device and keeps it only where it is faster.
// Layout: A, B and R are rgba32f texel buffers (4 consecutive floats of a row per texel), so K and
// N must be multiples of 4; C is written as vec4. Edges: rows past M and columns past N are clamped
// on load and not stored; k past K reads as zero.
layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in; // (BLOCK_M / 4) * BLOCK_N4
layout(constant_id = 1) const uint BLOCK_M = 64;  // rows of C per workgroup, a multiple of 4
layout(constant_id = 2) const uint BLOCK_N4 = 16; // vec4 columns of C per workgroup
layout(constant_id = 3) const bool HAS_BIAS = false;
layout(constant_id = 4) const bool HAS_RESIDUAL = false;
layout(constant_id = 5) const bool RELU = false;
layout(constant_id = 7) const bool BATCHED = false;

// 16 values of k per chunk: 4 texels of each A row, 16 rows of B.
const uint CHUNK_K = 16u;
const uint CHUNK_K4 = CHUNK_K / 4u;

layout(binding = 0, rgba32f) uniform readonly imageBuffer A;
#ifndef WEIGHT_FORMAT
#define WEIGHT_FORMAT rgba32f
#endif
layout(binding = 1, WEIGHT_FORMAT) uniform readonly imageBuffer B;
layout(binding = 2) writeonly buffer Out { vec4 C[]; };
layout(binding = 3, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 4, rgba32f) uniform readonly imageBuffer Residual;

layout(push_constant) uniform Push {
    uint M;
    uint N;
    uint K;
    uint first;
    uint strideA;
    uint strideB;
    uint strideC;
    uint strideR;
} p;

// A is staged transposed, so an invocation's 4 rows at one k are one vec4: rowsA[k][m / 4][m % 4] = A[m][k].
shared vec4 rowsA[CHUNK_K][BLOCK_M / 4u];
shared vec4 colsB[CHUNK_K][BLOCK_N4];

void main() {
    uint n4 = p.N / 4u;
    uint k4 = p.K / 4u;
    uint lane = gl_LocalInvocationID.x;
    uint lanes = gl_WorkGroupSize.x;
    uint z = BATCHED ? p.first + gl_WorkGroupID.z : 0u;
    uint blockRow = gl_WorkGroupID.y * BLOCK_M;
    uint blockCol4 = gl_WorkGroupID.x * BLOCK_N4;
    // This invocation's tile: rows 4 * rowGroup .. + 3 and column texel colTexel of the block.
    uint colTexel = lane % BLOCK_N4;
    uint rowGroup = lane / BLOCK_N4;

    vec4 acc[4];
    for (uint r = 0u; r < 4u; r++)
        acc[r] = vec4(0.0);

    for (uint k0 = 0u; k0 < k4; k0 += CHUNK_K4) {
        // Stage the chunk: BLOCK_M x CHUNK_K4 texels of A and CHUNK_K x BLOCK_N4 of B, spread over the lanes.
        for (uint i = lane; i < BLOCK_M * CHUNK_K4; i += lanes) {
            uint m = i / CHUNK_K4;
            uint kt = i % CHUNK_K4;
            uint row = min(blockRow + m, p.M - 1u);
            vec4 v = k0 + kt < k4 ? imageLoad(A, int(z * p.strideA + row * k4 + k0 + kt)) : vec4(0.0);
            for (uint j = 0u; j < 4u; j++)
                rowsA[kt * 4u + j][m / 4u][m % 4u] = v[j];
        }
        for (uint i = lane; i < CHUNK_K * BLOCK_N4; i += lanes) {
            uint kk = i / BLOCK_N4;
            uint c = i % BLOCK_N4;
            uint k = k0 * 4u + kk;
            uint col4 = min(blockCol4 + c, n4 - 1u);
            colsB[kk][c] = k < p.K ? imageLoad(B, int(z * p.strideB + k * n4 + col4)) : vec4(0.0);
        }
        barrier();
        for (uint kk = 0u; kk < CHUNK_K; kk++) {
            vec4 a = rowsA[kk][rowGroup];
            vec4 b = colsB[kk][colTexel];
            for (uint r = 0u; r < 4u; r++)
                acc[r] += a[r] * b;
        }
        barrier();
    }

    uint col4 = blockCol4 + colTexel;
    if (col4 >= n4)
        return;
    vec4 bias = HAS_BIAS ? imageLoad(Bias, int(col4)) : vec4(0.0);
    for (uint r = 0u; r < 4u; r++) {
        uint row = blockRow + rowGroup * 4u + r;
        if (row >= p.M)
            break;
        uint at = row * n4 + col4;
        vec4 v = acc[r] + bias;
        if (HAS_RESIDUAL)
            v += imageLoad(Residual, int(z * p.strideR + at));
        C[z * p.strideC + at] = RELU ? max(v, vec4(0.0)) : v;
    }
}
