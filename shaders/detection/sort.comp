#version 450
// Bitonic sort of (score, index) keys for top-k and NMS (see score_key: score descending, lower index
// first on ties). PHASE 0 fills Keys[0, P) from the candidates: key i is score_key(Scores[c], c) with
// c = Candidates[i] (or i itself without HAS_CANDIDATES) for i below the valid count, padding after.
// PHASE 1 is one compare-exchange stage (k, j) of the bitonic network over P = 2^m keys; the op
// records every stage, and each returns at once past V = the valid count rounded up to a power of
// two: the keys from V on are all padding, blocks of k <= V never mix the two parts and a merge of
// k > V only compares the ascending first V keys with each other or with padding, so neither moves
// a key; the sort of few valid keys among many slots costs about V log2(V)^2 / 4 compares. PHASE 2
// writes the first K indices and min(count, K) to OutCount (indices past the count are -1). PHASE 3
// (one invocation, HAS_COUNT) plans the indirect dispatches from the valid count: Args[0] covers the
// V keys PHASE 0 must fill, Args[1 + s] the V / 2 pairs of stage s (in recording order: k = 2, 4, ..,
// P, j = k / 2 .. 1) when its k <= V, else no workgroups, so a sort sized for P slots costs, past
// the V it needs, only empty dispatches.
// Layout: Scores r32f texel buffer indexed by candidate index; Candidates (n) int32; Count (1) uint32
// (the valid length of the candidate list when HAS_COUNT, else n); Keys (P) uvec2; Out (K) int32;
// OutCount (1) uint32; Args (3 (1 + stages)) uint32, VkDispatchIndirectCommand each. Tile: one key
// (phases 0, 2) or one key pair (phase 1) per invocation on a flat 2D grid, bounds-checked.
#include "index.glsl"
#include "detection.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool HAS_CANDIDATES = false;
layout(constant_id = 2) const bool HAS_COUNT = false;

layout(binding = 0, r32f) uniform readonly imageBuffer Scores;
layout(binding = 1) readonly buffer Candidates { int candidates[]; };
layout(binding = 2) readonly buffer Count { uint count; };
layout(binding = 3) buffer Keys { uvec2 keys[]; };
layout(binding = 4) writeonly buffer Out { int outIndices[]; };
layout(binding = 5) writeonly buffer OutCount { uint outCount; };
layout(binding = 6) writeonly buffer Args { uint args[]; };

layout(push_constant) uniform Push {
    uint n;
    uint P;
    uint K;
    uint k;
    uint j;
} p;

uint valid() {
    return HAS_COUNT ? min(count, p.n) : p.n;
}

// V: the valid count rounded up to a power of two, at least 2.
uint validPow2() {
    return max(2u, 1u << findMSB(max(valid(), 1u) * 2u - 1u));
}

void setArgs(uint slot, uvec3 grid) {
    args[3u * slot] = grid.x;
    args[3u * slot + 1u] = grid.y;
    args[3u * slot + 2u] = grid.z;
}

void main() {
    uint t = flat_invocation();
    if (PHASE == 0u) {
        if (t >= p.P)
            return;
        if (t < valid()) {
            uint c = HAS_CANDIDATES ? uint(candidates[t]) : t;
            keys[t] = score_key(imageLoad(Scores, int(c)).x, c);
        } else {
            keys[t] = PAD_KEY;
        }
    } else if (PHASE == 1u) {
        uint v = validPow2();
        if (t >= p.P / 2u || t >= v / 2u || p.k > v)
            return;
        uint i = 2u * p.j * (t / p.j) + t % p.j;
        uint l = i + p.j;
        uvec2 a = keys[i];
        uvec2 b = keys[l];
        bool ascending = (i & p.k) == 0u;
        if (key_greater(a, b) == ascending) {
            keys[i] = b;
            keys[l] = a;
        }
    } else if (PHASE == 2u) {
        if (t >= p.K)
            return;
        uint m = min(valid(), p.K);
        outIndices[t] = t < m ? int(keys[t].y) : -1;
        if (t == 0u)
            outCount = m;
    } else {
        if (t != 0u)
            return;
        uint v = min(validPow2(), p.P);
        setArgs(0u, flat_grid(v, gl_WorkGroupSize.x));
        uint s = 1u;
        for (uint k = 2u; k <= p.P; k <<= 1u) {
            for (uint j = k >> 1u; j > 0u; j >>= 1u) {
                setArgs(s, k <= v ? flat_grid(v / 2u, gl_WorkGroupSize.x) : uvec3(0u, 1u, 1u));
                s++;
            }
        }
    }
}
