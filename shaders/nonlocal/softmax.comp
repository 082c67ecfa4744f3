#version 450
// Non-local attention, pass 2 of 3 per key block (softmax instantiations only): the online-softmax
// update of one block of logits. For each chunk row (query i0 + i of segment s0 + z): m' = max(m,
// max_k S), P = exp(S - m'), l' = l * exp(m - m') + sum P, alpha = exp(m - m'). Stats are
// (m, l, alpha, 0) per query, indexed by segment * lq + query; on the first block m and l start
// from this block alone.
// Layout: S and P are [rows][kbp] floats (S read as rgba32f texels, P written as vec4); masked keys
// hold -1e30 in S and get exactly 0 in P. The block binds one buffer as both, so P overwrites S in
// place: an invocation reads each texel of its own row before it writes that texel, and no
// invocation reads another's row, so no read ever sees a write of this dispatch. Stats is a vec4
// per query, read and written in place.
// Tile: one chunk row per invocation over a 2D grid (the pass is memory bound and small next to the
// two GEMM-shaped passes); bounds checked against rows.
#include "index.glsl"

layout(local_size_x = 64) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Scores;
layout(binding = 1) writeonly buffer Probabilities { vec4 prob[]; };
layout(binding = 2) buffer Stats { vec4 stats[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint nq;
    uint lq;
    uint s0;
    uint i0;
    uint kb4;
    uint kbp;
    uint first;
} p;

void main() {
    uint row = flat_invocation();
    if (row >= p.rows)
        return;
    uint query = (p.s0 + row / p.nq) * p.lq + p.i0 + row % p.nq;
    int base = int(row * (p.kbp / 4u));
    vec4 m4 = vec4(-1.0e30);
    for (uint k = 0u; k < p.kb4; k++)
        m4 = max(m4, imageLoad(Scores, base + int(k)));
    float block_max = max(max(m4.x, m4.y), max(m4.z, m4.w));
    vec4 st = p.first != 0u ? vec4(block_max, 0.0, 0.0, 0.0) : stats[query];
    float m = max(st.x, block_max);
    vec4 sum4 = vec4(0.0);
    for (uint k = 0u; k < p.kbp / 4u; k++) {
        vec4 e = k < p.kb4 ? exp(imageLoad(Scores, base + int(k)) - m) : vec4(0.0);
        prob[base + int(k)] = e;
        sum4 += e;
    }
    float sum = sum4.x + sum4.y + sum4.z + sum4.w;
    float alpha = exp(st.x - m);
    stats[query] = vec4(m, p.first != 0u ? sum : st.y * alpha + sum, alpha, 0.0);
}
