#version 450
// Non-local attention, pass 1 of 3 per key block: the affinity logits of one block of keys,
// S[z][i][k] = scale * f(theta_q, phi_k) for queries q = i0 + i of segment s0 + z and keys
// k0 + k, with f the dot product, or (CONCAT) ReLU(w1 . theta_q + w2 . phi_k). Keys past the segment's
// last one get MASKED (-1e30 for softmax, 0 otherwise) so later passes can run over whole texels.
// Layout: Q rows (q_stride texels) and K rows (k_stride texels, phi starting at texel k_offset) are
// read as rgba32f texels, d4 texels each; W holds [w1 | w2], d4 texels each (CONCAT only). S is the
// block's scratch, [z][i][kbp] floats, kbp a multiple of 8, written as vec4.
// Tile: TILE_Q queries x 4*TILE_K4 keys per invocation in registers (a GEMM register tile with no
// shared memory, the fast form on lavapipe); x walks key tiles, y query tiles, z segments. Edge rows
// and keys are clamped on load; stores are bounds checked against nq and kbp.
#include "attention_rows.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_Q = 8;
layout(constant_id = 2) const uint TILE_K4 = 2;
layout(constant_id = 3) const bool CONCAT = false;
layout(constant_id = 4) const bool SOFTMAX = true;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Q;
layout(binding = 1, rgba32f) uniform readonly imageBuffer K;
layout(binding = 2, rgba32f) uniform readonly imageBuffer W;
layout(binding = 3) writeonly buffer Scores { vec4 s[]; };

layout(push_constant) uniform Push {
    uint d4;
    uint q_stride;
    uint k_stride;
    uint k_offset;
    uint per;
    uint q_outer;
    uint k_outer;
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
    int krow[TILE_K4 * 4u];
    for (uint j = 0u; j < TILE_K4 * 4u; j++)
        krow[j] = int(segment_row(seg, min(p.k0 + key + j, p.lk - 1u), p.per, p.k_outer, p.step) * p.k_stride + p.k_offset);

    float acc[TILE_Q][TILE_K4 * 4u];
    float a[TILE_Q];
    float b[TILE_K4 * 4u];
    for (uint r = 0u; r < TILE_Q; r++) {
        a[r] = 0.0;
        for (uint j = 0u; j < TILE_K4 * 4u; j++)
            acc[r][j] = 0.0;
    }
    for (uint j = 0u; j < TILE_K4 * 4u; j++)
        b[j] = 0.0;

    for (uint c = 0u; c < p.d4; c++) {
        vec4 kv[TILE_K4 * 4u];
        for (uint j = 0u; j < TILE_K4 * 4u; j++)
            kv[j] = imageLoad(K, krow[j] + int(c));
        if (CONCAT) {
            vec4 w1 = imageLoad(W, int(c));
            vec4 w2 = imageLoad(W, int(p.d4 + c));
            for (uint j = 0u; j < TILE_K4 * 4u; j++)
                b[j] += dot(kv[j], w2);
            for (uint r = 0u; r < TILE_Q; r++)
                a[r] += dot(imageLoad(Q, qrow[r] + int(c)), w1);
        } else {
            for (uint r = 0u; r < TILE_Q; r++) {
                vec4 q = imageLoad(Q, qrow[r] + int(c));
                for (uint j = 0u; j < TILE_K4 * 4u; j++)
                    acc[r][j] += dot(q, kv[j]);
            }
        }
    }

    for (uint r = 0u; r < TILE_Q; r++) {
        if (i + r >= p.nq)
            break;
        uint base = ((z * p.nq + i + r) * p.kbp + key) / 4u;
        for (uint c = 0u; c < TILE_K4; c++) {
            if (key + c * 4u >= p.kbp)
                break;
            vec4 v;
            for (uint e = 0u; e < 4u; e++) {
                uint j = c * 4u + e;
                float f = CONCAT ? max(a[r] + b[j], 0.0) : acc[r][j];
                v[e] = p.k0 + key + j < p.lk ? f * p.scale : MASKED;
            }
            s[base + c] = v;
        }
    }
}
