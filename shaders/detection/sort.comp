#version 450
// Bitonic sort of (score, index) keys for top-k and NMS (see score_key: score descending, lower index
// first on ties). PHASE 0 fills Keys[0, P) from the candidates: key i is score_key(Scores[c], c) with
// c = Candidates[i] (or i itself without HAS_CANDIDATES) for i below the valid count, padding after.
// PHASE 1 is one compare-exchange stage (k, j) of the bitonic network over P = 2^m keys; the op
// records every stage, and each returns at once past V = the valid count rounded up to a power of
// two: the keys from V on are all padding, blocks of k <= V never mix the two parts and a merge of
// k > V only compares the ascending first V keys with each other or with padding, so neither moves
// a key; the sort of few valid keys among many slots costs about V log2(V)^2 / 4 compares. PHASE 4
// runs every step of j < E (E = min(BLOCK, P) keys) in workgroup memory, one block of E keys per
// workgroup with a barrier per step: for k from p.k to p.kLast, j from min(k, E) / 2 down to 1; so
// the op records one PHASE 4 for all k <= E and, for each larger k, PHASE 1 for j >= E then one
// PHASE 4. PHASE 2 writes the first K indices and min(count, K) to OutCount (indices past the count
// are -1). PHASE 3 (one invocation, HAS_COUNT) plans the indirect dispatches from the valid count:
// Args[0] covers the V keys PHASE 0 must fill, then each recorded PHASE 4 and PHASE 1 in recording
// order gets V / E blocks or V / 2 pairs when its k <= V, else no workgroups, so a sort sized for P
// slots costs, past the V it needs, only empty dispatches. Keys from V on are padding, so PHASE 4
// reads them as PAD_KEY (PHASE 0 fills only V keys when the count is known).
// Layout: Scores r32f texel buffer indexed by candidate index; Candidates (n) int32; Count (1) uint32
// (the valid length of the candidate list when HAS_COUNT, else n); Keys (P) uvec2; Out (K) int32;
// OutCount (1) uint32; Args (3 (1 + dispatches)) uint32, VkDispatchIndirectCommand each. Tile: one
// key (phases 0, 2) or one key pair (phase 1) per invocation on a flat 2D grid, bounds-checked;
// PHASE 4: LOCAL_SIZE invocations (a specialization constant) per block of E keys, E / 2 / LOCAL_SIZE
// pairs each per step, blocks on a flat 2D grid of workgroups.
#include "index.glsl"
#include "detection.glsl"

layout(local_size_x = 64, local_size_x_id = 3, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool HAS_CANDIDATES = false;
layout(constant_id = 2) const bool HAS_COUNT = false;
layout(constant_id = 4) const uint BLOCK = 2048; // keys of workgroup memory (PHASE 4), a power of two

shared uvec2 block[BLOCK];

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
    uint j;     // PHASE 1; PHASE 4: the last k
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

// E: keys per PHASE 4 block.
uint blockKeys() {
    return min(BLOCK, p.P);
}

void localSteps() {
    uint e = blockKeys();
    uint base = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * e;
    if (base >= p.P)
        return; // uniform per workgroup: no barrier is skipped by part of it
    uint v = HAS_COUNT ? min(validPow2(), p.P) : p.P;
    uint lanes = gl_WorkGroupSize.x;
    for (uint x = gl_LocalInvocationID.x; x < e; x += lanes)
        block[x] = base + x < v ? keys[base + x] : PAD_KEY;
    barrier();
    for (uint k = p.k; k <= p.j; k <<= 1u) {
        for (uint j = min(k, e) >> 1u; j > 0u; j >>= 1u) {
            for (uint q = gl_LocalInvocationID.x; q < e / 2u; q += lanes) {
                uint i = 2u * j * (q / j) + q % j;
                uint l = i + j;
                uvec2 a = block[i];
                uvec2 b = block[l];
                bool ascending = ((base + i) & k) == 0u;
                if (key_greater(a, b) == ascending) {
                    block[i] = b;
                    block[l] = a;
                }
            }
            barrier();
        }
    }
    for (uint x = gl_LocalInvocationID.x; x < e; x += lanes)
        keys[base + x] = block[x];
}

void main() {
    if (PHASE == 4u) {
        localSteps();
        return;
    }
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
        uint e = blockKeys();
        uvec3 none = uvec3(0u, 1u, 1u);
        uvec3 blocks = flat_grid(ceil_div(v, e), 1u);
        setArgs(0u, flat_grid(v, gl_WorkGroupSize.x));
        setArgs(1u, blocks);
        uint s = 2u;
        for (uint k = 2u * e; k <= p.P; k <<= 1u) {
            for (uint j = k >> 1u; j >= e; j >>= 1u) {
                setArgs(s, k <= v ? flat_grid(v / 2u, gl_WorkGroupSize.x) : none);
                s++;
            }
            setArgs(s, k <= v ? blocks : none);
            s++;
        }
    }
}
