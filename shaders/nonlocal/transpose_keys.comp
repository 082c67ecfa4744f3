#version 450
// Non-local attention: phi transposed per segment, KT[s][c][k] = phi of key k of segment s at
// channel c, keys padded with zeros to lk4 (a multiple of 4). The logits pass then reads four keys of
// one channel as one texel, so neighbouring invocations (neighbouring key tiles) load neighbouring
// texels, as the B operand of a GEMM does, instead of gathering from eight distant rows each.
// Layout: K rows of k_stride texels with phi starting at texel k_offset, read as rgba32f texels;
// KT written as vec4, (segments, d, lk4 / 4) texels.
// Tile: one output texel (4 keys of one channel) per invocation over a 2D grid; bounds checked.
#include "index.glsl"
#include "attention_rows.glsl"

layout(local_size_x = 64) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer K;
layout(binding = 1) writeonly buffer KeysT { vec4 kt[]; };

layout(push_constant) uniform Push {
    uint d;
    uint k_stride;
    uint k_offset;
    uint per;
    uint k_outer;
    uint step;
    uint lk;
    uint lk4;
    uint texels;
} p;

void main() {
    uint id = flat_invocation();
    if (id >= p.texels)
        return;
    uint k4 = id % (p.lk4 / 4u);
    uint c = (id / (p.lk4 / 4u)) % p.d;
    uint s = id / (p.lk4 / 4u) / p.d;
    vec4 v;
    for (uint e = 0u; e < 4u; e++) {
        uint key = k4 * 4u + e;
        uint row = segment_row(s, min(key, p.lk - 1u), p.per, p.k_outer, p.step);
        vec4 texel = imageLoad(K, int(row * p.k_stride + p.k_offset + c / 4u));
        v[e] = key < p.lk ? texel[c % 4u] : 0.0;
    }
    kt[id] = v;
}
