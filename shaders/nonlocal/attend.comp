#version 450
// Non-local attention, pass 3 of 3 per key block: Y[q] = alpha_q * Y[q] + sum_k P[q][k] * V[k] over
// the block's keys, divided by l_q after the last block (SOFTMAX), or Y[q] += sum_k P[q][k] V[k]
// (dot product and concatenation, whose 1/N is already in P). The first block writes Y without
// reading it; the last multiplies by scale (1 here; the factored dot product's 1/N, where P is
// theta and V is M = phi^T g, and where M itself is this pass with P = the transposed keys).
// Layout: P is the block's [z][i][kbp] scratch and V rows (v_stride texels, g starting at texel
// v_offset) are rgba32f texels; Stats (m, l, alpha, 0) per query as texels; Y rows of y_stride
// texels, queries at the same tensor rows as theta, read and written as vec4.
// Tile: TILE_Q queries x 4*TILE_C4 channels per invocation in registers, keys four at a time (one P
// texel per query); x walks channel tiles, y query tiles, z segments. Keys past the block are
// clamped on load (their P is 0); stores are bounds checked against nq and dv4.
#include "attention_rows.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_Q = 8;
layout(constant_id = 2) const uint TILE_C4 = 2;
layout(constant_id = 3) const bool SOFTMAX = true;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Probabilities;
layout(binding = 1, rgba32f) uniform readonly imageBuffer V;
layout(binding = 2, rgba32f) uniform readonly imageBuffer Stats;
layout(binding = 3) buffer Y { vec4 y[]; };

layout(push_constant) uniform Push {
    uint dv4;
    uint v_stride;
    uint v_offset;
    uint y_stride;
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
    uint kb4;
    uint kbp;
    uint first;
    uint last;
    float scale;
} p;

void main() {
    uint col4 = gl_GlobalInvocationID.x * TILE_C4;
    uint i = gl_GlobalInvocationID.y * TILE_Q;
    uint z = gl_GlobalInvocationID.z;
    if (col4 >= p.dv4 || i >= p.nq)
        return;
    uint seg = p.s0 + z;

    int prow[TILE_Q];
    for (uint r = 0u; r < TILE_Q; r++)
        prow[r] = int((z * p.nq + min(i + r, p.nq - 1u)) * (p.kbp / 4u));
    int vcol[TILE_C4];
    for (uint c = 0u; c < TILE_C4; c++)
        vcol[c] = int(p.v_offset + min(col4 + c, p.dv4 - 1u));

    vec4 acc[TILE_Q][TILE_C4];
    for (uint r = 0u; r < TILE_Q; r++)
        for (uint c = 0u; c < TILE_C4; c++)
            acc[r][c] = vec4(0.0);

    // The segment's first key row, outside the key loop: its division is not free on every device.
    uint keyBase = segment_base(seg, p.per, p.k_outer);
    for (uint k = 0u; k < p.kb4; k++) {
        vec4 v[4][TILE_C4];
        for (uint kk = 0u; kk < 4u; kk++) {
            int vrow = int((keyBase + min(p.k0 + k * 4u + kk, p.lk - 1u) * p.step) * p.v_stride);
            for (uint c = 0u; c < TILE_C4; c++)
                v[kk][c] = imageLoad(V, vrow + vcol[c]);
        }
        for (uint r = 0u; r < TILE_Q; r++) {
            vec4 w = imageLoad(Probabilities, prow[r] + int(k));
            for (uint c = 0u; c < TILE_C4; c++)
                acc[r][c] += w.x * v[0][c] + w.y * v[1][c] + w.z * v[2][c] + w.w * v[3][c];
        }
    }

    for (uint r = 0u; r < TILE_Q; r++) {
        if (i + r >= p.nq)
            break;
        uint query = p.i0 + i + r;
        uint row = segment_row(seg, query, p.per, p.q_outer, p.step);
        vec4 st = SOFTMAX ? imageLoad(Stats, int(seg * p.lq + query)) : vec4(0.0, 1.0, 1.0, 0.0);
        for (uint c = 0u; c < TILE_C4; c++) {
            if (col4 + c >= p.dv4)
                break;
            uint at = row * p.y_stride + col4 + c;
            vec4 v = p.first != 0u ? acc[r][c] : st.z * y[at] + acc[r][c];
            y[at] = p.last != 0u ? v / st.y * p.scale : v;
        }
    }
}
