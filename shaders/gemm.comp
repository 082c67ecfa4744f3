#version 450
// C[z][M,N] = act(A[z][M,K] * B[z][K,N] + bias[N] + R[z][M,N]), all row-major fp32 (B fp16 in the
// f16w build), accumulated in fp32; bias, residual R
// and ReLU are optional (specialization constants), so a 1x1 convolution with folded BN, its shortcut
// add and its ReLU is one dispatch. Unused bindings may be bound to any tensor; they are not read.
// Layout: A and B are read as rgba32f texel buffers (4 consecutive floats of a row per texel), so
// K and N must be multiples of 4; C is written as vec4. M is any size.
// Batch (BATCHED): z walks the matrices first + gl_WorkGroupID.z; matrix z of an operand starts
// z * stride texels into its binding (stride 0: one matrix shared by every z, e.g. one weight
// matrix), folded into the per-invocation row and column offsets so the k loop is the plain one's.
// Tile: each invocation computes TILE_M rows x (4 * TILE_N4) columns in registers, with no shared
// memory: on lavapipe texel loads take a vectorised gather path and barriers are expensive, so
// register blocking over texel buffers is the fast form (docs/bench-log.md, 2026-12-06). A workgroup's lanes
// take LANES_C consecutive column tiles of LOCAL / LANES_C consecutive row tiles (as ops/conv.comp),
// so a C of fewer than LOCAL column tiles keeps every lane busy. x walks groups of column tiles, y
// groups of row tiles; edges are clamped on load and bounds-checked on store.
layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_M = 8;
layout(constant_id = 2) const uint TILE_N4 = 2;
layout(constant_id = 3) const bool HAS_BIAS = false;
layout(constant_id = 4) const bool HAS_RESIDUAL = false;
layout(constant_id = 5) const bool RELU = false;
layout(constant_id = 6) const uint LANES_C = 8; // divides the local size
// false (one matrix): z = 0 and the strides fold away, leaving the unbatched kernel: z offsets
// applied at run time can slow plain GEMMs (docs/bench-log.md, 2026-12-05).
layout(constant_id = 7) const bool BATCHED = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer A;
// B holds the weights of a 1x1 convolution or linear layer: the f16w build of this file
// (Shaders.targets) reads it as rgba16f texels, half the bytes, converted by the texel load.
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
    uint first;   // matrix of workgroup z = 0
    uint strideA; // vec4 texels between consecutive matrices of A, B, C, R
    uint strideB;
    uint strideC;
    uint strideR;
} p;

void main() {
    uint n4 = p.N / 4u;
    uint k4 = p.K / 4u;
    uint lane = gl_LocalInvocationID.x;
    uint col4 = (gl_WorkGroupID.x * LANES_C + lane % LANES_C) * TILE_N4;
    uint row = (gl_WorkGroupID.y * (gl_WorkGroupSize.x / LANES_C) + lane / LANES_C) * TILE_M;
    if (col4 >= n4 || row >= p.M)
        return;
    uint z = BATCHED ? p.first + gl_WorkGroupID.z : 0u;

    int arow[TILE_M];
    for (uint r = 0u; r < TILE_M; r++)
        arow[r] = int(z * p.strideA + min(row + r, p.M - 1u) * k4);
    int bcol[TILE_N4];
    for (uint c = 0u; c < TILE_N4; c++)
        bcol[c] = int(z * p.strideB + min(col4 + c, n4 - 1u));

    vec4 acc[TILE_M][TILE_N4];
    for (uint r = 0u; r < TILE_M; r++)
        for (uint c = 0u; c < TILE_N4; c++)
            acc[r][c] = vec4(0.0);

    for (uint k = 0u; k < k4; k++) {
        vec4 b[4][TILE_N4];
        int brow = int(k * 4u * n4);
        for (uint kk = 0u; kk < 4u; kk++)
            for (uint c = 0u; c < TILE_N4; c++)
                b[kk][c] = imageLoad(B, brow + int(kk * n4) + bcol[c]);
        for (uint r = 0u; r < TILE_M; r++) {
            vec4 a = imageLoad(A, arow[r] + int(k));
            for (uint c = 0u; c < TILE_N4; c++)
                acc[r][c] += a.x * b[0][c] + a.y * b[1][c] + a.z * b[2][c] + a.w * b[3][c];
        }
    }

    vec4 bias[TILE_N4];
    for (uint c = 0u; c < TILE_N4; c++)
        bias[c] = HAS_BIAS ? imageLoad(Bias, int(min(col4 + c, n4 - 1u))) : vec4(0.0);
    for (uint r = 0u; r < TILE_M; r++) {
        if (row + r >= p.M)
            break;
        for (uint c = 0u; c < TILE_N4; c++) {
            if (col4 + c >= n4)
                continue;
            uint at = (row + r) * n4 + col4 + c;
            vec4 v = acc[r][c] + bias[c];
            if (HAS_RESIDUAL)
                v += imageLoad(Residual, int(z * p.strideR + at));
            C[z * p.strideC + at] = RELU ? max(v, vec4(0.0)) : v;
        }
    }
}
