#version 450
// Radix select for top-k of many candidates: finds the k-th smallest sort key (score_key: score
// descending, then index) in 8 digit passes of 8 bits (4 over the score bits, 4 over the index),
// then compacts exactly the k keys at or below it, so only k candidates reach the bitonic sort.
// PHASE 3 (one invocation) resets the state; PHASE 0 is a histogram of the current digit over the
// keys matching the prefix found so far (global atomics); PHASE 1 (one invocation) picks the digit
// where the running count reaches the remaining rank and zeroes the histogram; PHASE 2 appends the
// selected candidates through an atomic counter (their order is unspecified).
// Layout: Scores r32f texel buffer; Candidates (n) int32 (HAS_CANDIDATES, else 0..n-1); Count (1)
// uint32 valid candidates (HAS_COUNT); Hist (256) uint32; State (5) uint32 = score prefix, score
// mask, index prefix, index mask, remaining rank; Selected (k) int32; SelectedCount (1) uint32.
// Tile: one candidate per invocation (phases 0 and 2) on a flat 2D grid, bounds-checked.
#include "index.glsl"
#include "detection.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool HAS_CANDIDATES = false;
layout(constant_id = 2) const bool HAS_COUNT = false;

layout(binding = 0, r32f) uniform readonly imageBuffer Scores;
layout(binding = 1) readonly buffer Candidates { int candidates[]; };
layout(binding = 2) readonly buffer Count { uint count; };
layout(binding = 3) buffer Hist { uint hist[]; };
layout(binding = 4) buffer State { uint state[]; };
layout(binding = 5) writeonly buffer Selected { int selected[]; };
layout(binding = 6) buffer SelectedCount { uint selectedCount; };

layout(push_constant) uniform Push {
    uint n;
    uint k;
    uint pass;
} p;

uint valid() {
    return HAS_COUNT ? min(count, p.n) : p.n;
}

void main() {
    uint t = flat_invocation();
    if (PHASE == 3u) {
        if (t != 0u)
            return;
        for (uint b = 0u; b < 256u; b++)
            hist[b] = 0u;
        state[0] = 0u;
        state[1] = 0u;
        state[2] = 0u;
        state[3] = 0u;
        state[4] = min(p.k, valid());
        selectedCount = 0u;
        return;
    }
    if (PHASE == 1u) {
        if (t != 0u)
            return;
        uint remaining = state[4];
        uint cumulative = 0u;
        uint digit = 255u;
        for (uint b = 0u; b < 256u; b++) {
            if (cumulative + hist[b] >= remaining) {
                digit = b;
                break;
            }
            cumulative += hist[b];
        }
        for (uint b = 0u; b < 256u; b++)
            hist[b] = 0u;
        state[4] = remaining - cumulative;
        uint shift = 24u - 8u * (p.pass % 4u);
        uint slot = p.pass < 4u ? 0u : 2u;
        state[slot] |= digit << shift;
        state[slot + 1u] |= 255u << shift;
        return;
    }
    if (t >= valid())
        return;
    uint c = HAS_CANDIDATES ? uint(candidates[t]) : t;
    uvec2 key = score_key(imageLoad(Scores, int(c)).x, c);
    if (PHASE == 0u) {
        uint digit;
        if (p.pass < 4u) {
            if ((key.x & state[1]) != state[0])
                return;
            digit = (key.x >> (24u - 8u * p.pass)) & 255u;
        } else {
            if (key.x != state[0] || (key.y & state[3]) != state[2])
                return;
            digit = (key.y >> (24u - 8u * (p.pass - 4u))) & 255u;
        }
        atomicAdd(hist[digit], 1u);
    } else {
        if (key.x < state[0] || (key.x == state[0] && key.y <= state[2]))
            selected[atomicAdd(selectedCount, 1u)] = int(c);
    }
}
