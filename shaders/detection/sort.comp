#version 450
// Bitonic sort of (score, index) keys for top-k and NMS (see score_key: score descending, lower index
// first on ties). PHASE 0 fills Keys[0, P) from the candidates: key i is score_key(Scores[c], c) with
// c = Candidates[i] (or i itself without HAS_CANDIDATES) for i below the valid count, padding after.
// PHASE 1 is one compare-exchange stage (k, j) of the bitonic network over P = 2^m keys; the op
// records every stage, and each returns at once past V = the valid count rounded up to a power of
// two: the keys from V on are all padding, blocks of k <= V never mix the two parts and a merge of
// k > V only compares the ascending first V keys with each other or with padding, so neither moves
// a key; the sort of few valid keys among many slots costs about V log2(V)^2 / 4 compares. PHASE 2 writes the first K indices and min(count, K) to OutCount (indices
// past the count are -1).
// Layout: Scores r32f texel buffer indexed by candidate index; Candidates (n) int32; Count (1) uint32
// (the valid length of the candidate list when HAS_COUNT, else n); Keys (P) uvec2; Out (K) int32;
// OutCount (1) uint32. Tile: one key (phases 0, 2) or one key pair (phase 1) per invocation on a flat
// 2D grid, bounds-checked.
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
        uint v = max(2u, 1u << findMSB(max(valid(), 1u) * 2u - 1u));
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
    } else {
        if (t >= p.K)
            return;
        uint m = min(valid(), p.K);
        outIndices[t] = t < m ? int(keys[t].y) : -1;
        if (t == 0u)
            outCount = m;
    }
}
