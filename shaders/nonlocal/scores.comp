#version 450
// Non-local attention, pass 1 of 3 per key block: the affinity logits of one block of keys,
// S[z][i][k] = scale * f(theta_q, phi_k) for queries q = i0 + i of segment s0 + z and keys
// k0 + k, with f the dot product, or (CONCAT) ReLU(w1 . theta_q + w2 . phi_k). Keys past the segment's
// last one get MASKED (-1e30 for softmax, 0 otherwise) so later passes can run over whole texels.
// Layout: Q rows (q_stride texels) read as rgba32f texels, d4 texels each; KT is phi transposed per
// segment (transpose_keys.comp): (segments, 4 * d4, lk4 / 4) texels of four keys each. W holds
// [w1 | w2], d4 texels each (CONCAT only). S is the block's scratch, [z][i][kbp] floats, kbp a multiple
// of 8 and k0 a multiple of kbp, written as vec4.
// Tile: TILE_Q queries x 4*TILE_K4 keys per invocation in registers, the GEMM register tile of
// gemm.comp with theta as A and KT as B (no shared memory: the fast form on lavapipe); x walks key
// tiles, y query tiles, z segments. Edge rows and keys are clamped on load; stores are bounds checked
// against nq and kbp.
#include "attention_rows.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_Q = 8;
layout(constant_id = 2) const uint TILE_K4 = 2;
layout(constant_id = 3) const bool CONCAT = false;
layout(constant_id = 4) const bool SOFTMAX = true;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Q;
layout(binding = 1, rgba32f) uniform readonly imageBuffer KT;
layout(binding = 2, rgba32f) uniform readonly imageBuffer W;
layout(binding = 3) writeonly buffer Scores { vec4 s[]; };

layout(push_constant) uniform Push {
    uint d4;
    uint q_stride;
    uint lk4;
    uint per;
    uint q_outer;
    uint step;
    uint lq;
    uint s0;
    uint i0;
    uint nq;
    uint lk;
    uint k0;
    uint kbp;
    float scale;
} p;

const float MASKED = SOFTMAX ? -1.0e30 : 0.0;

void main() {
    uint key = gl_GlobalInvocationID.x * TILE_K4 * 4u;
    uint i = gl_GlobalInvocationID.y * TILE_Q;
    uint z = gl_GlobalInvocationID.z;
    if (key >= p.kbp || i >= p.nq)
        return;
    uint seg = p.s0 + z;

    int qrow[TILE_Q];
    for (uint r = 0u; r < TILE_Q; r++)
        qrow[r] = int(segment_row(seg, p.i0 + min(i + r, p.nq - 1u), p.per, p.q_outer, p.step) * p.q_stride);
    uint lk4t = p.lk4 / 4u;
    int kcol[TILE_K4];
    for (uint t = 0u; t < TILE_K4; t++)
        kcol[t] = int(min((p.k0 + key) / 4u + t, lk4t - 1u));
    int kbase = int(seg * p.d4 * 4u * lk4t);

    vec4 acc[TILE_Q][TILE_K4];
    float a[TILE_Q];
    vec4 b[TILE_K4];
    for (uint r = 0u; r < TILE_Q; r++) {
        a[r] = 0.0;
        for (uint t = 0u; t < TILE_K4; t++)
            acc[r][t] = vec4(0.0);
    }
    for (uint t = 0u; t < TILE_K4; t++)
        b[t] = vec4(0.0);

    for (uint c = 0u; c < p.d4; c++) {
        vec4 kt[4][TILE_K4];
        int crow = kbase + int(c * 4u * lk4t);
        for (uint cc = 0u; cc < 4u; cc++)
            for (uint t = 0u; t < TILE_K4; t++)
                kt[cc][t] = imageLoad(KT, crow + int(cc * lk4t) + kcol[t]);
        if (CONCAT) {
            vec4 w1 = imageLoad(W, int(c));
            vec4 w2 = imageLoad(W, int(p.d4 + c));
            for (uint t = 0u; t < TILE_K4; t++)
                b[t] += w2.x * kt[0][t] + w2.y * kt[1][t] + w2.z * kt[2][t] + w2.w * kt[3][t];
            for (uint r = 0u; r < TILE_Q; r++)
                a[r] += dot(imageLoad(Q, qrow[r] + int(c)), w1);
        } else {
            for (uint r = 0u; r < TILE_Q; r++) {
                vec4 q = imageLoad(Q, qrow[r] + int(c));
                for (uint t = 0u; t < TILE_K4; t++)
                    acc[r][t] += q.x * kt[0][t] + q.y * kt[1][t] + q.z * kt[2][t] + q.w * kt[3][t];
            }
        }
    }

    for (uint r = 0u; r < TILE_Q; r++) {
        if (i + r >= p.nq)
            break;
        uint base = ((z * p.nq + i + r) * p.kbp + key) / 4u;
        for (uint t = 0u; t < TILE_K4; t++) {
            if (key + t * 4u >= p.kbp)
                break;
            vec4 f = CONCAT ? max(vec4(a[r]) + b[t], vec4(0.0)) : acc[r][t];
            vec4 v;
            for (uint e = 0u; e < 4u; e++)
                v[e] = p.k0 + key + t * 4u + e < p.lk ? f[e] * p.scale : MASKED;
            s[base + t] = v;
        }
    }
}
