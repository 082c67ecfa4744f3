#version 450
// Greedy NMS with torchvision's semantics by the bitmask method, over the C = capacity best
// candidates already sorted by the top-k op (score descending, lower index first on ties): box i
// suppresses a later box j when they are in the same group (class, or FPN level) and IoU(i, j) >
// threshold (strict, no +1).
// PHASE 0 gathers the sorted boxes and groups; PHASE 1 builds, for each sorted box i, W = C/32
// words whose bit b of word w says box i suppresses box 32w + b (> i); PHASE 2 is one invocation
// that walks the sorted boxes start..end-1 in order, keeps each one not yet suppressed and ORs its
// words into Removed, stopping after maxKeep; the op records as many PHASE 2 dispatches as it takes
// to cover the C boxes with a bounded loop count each (the walk state, Removed and KeepCount, stays
// in memory between them; the first one, start = 0, clears it); PHASE 3 writes -1 past the count.
// Layout: Order (C) int32 sorted box indices; OrderCount (1) uint32 how many are valid (<= C);
// Boxes (R, 4) rgba32f texel buffer; Groups (R) int32 (HAS_GROUPS); Sorted (C) vec4; SortedGroups (C)
// int32; Mask (C * W) uint32; Removed (W) uint32; Keep (maxKeep) int32, -1 past the count; KeepCount
// (1) uint32. Tile: one sorted box (phase 0), one (row, word) pair (phase 1) or one keep slot
// (phase 3) per invocation on a flat 2D grid, bounds-checked; phase 2 runs serially, at most
// W + (end - start) * (W + 1) loop iterations per dispatch.
#include "index.glsl"
#include "detection.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool HAS_GROUPS = false;

layout(binding = 0) readonly buffer Order { int order[]; };
layout(binding = 1) readonly buffer OrderCount { uint orderCount; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 3) readonly buffer Groups { int groups[]; };
layout(binding = 4) buffer Sorted { vec4 sorted[]; };
layout(binding = 5) buffer SortedGroups { int sortedGroups[]; };
layout(binding = 6) buffer Mask { uint mask[]; };
layout(binding = 7) buffer Removed { uint removed[]; };
layout(binding = 8) writeonly buffer Keep { int keep[]; };
layout(binding = 9) buffer KeepCount { uint keepCount; };

layout(push_constant) uniform Push {
    uint C;
    uint W;
    uint maxKeep;
    float threshold;
    uint start;
    uint end;
} p;

uint valid() {
    return min(orderCount, p.C);
}

void main() {
    uint t = flat_invocation();
    uint m = valid();
    if (PHASE == 0u) {
        if (t >= m)
            return;
        int c = order[t];
        sorted[t] = imageLoad(Boxes, c);
        sortedGroups[t] = HAS_GROUPS ? groups[c] : 0;
    } else if (PHASE == 1u) {
        uint i = t / p.W;
        uint w = t % p.W;
        if (i >= m)
            return;
        uint bits = 0u;
        uint first = 32u * w;
        if (first + 31u > i && first < m) {
            vec4 a = sorted[i];
            int g = sortedGroups[i];
            for (uint b = 0u; b < 32u; b++) {
                uint j = first + b;
                if (j > i && j < m && sortedGroups[j] == g && box_iou(a, sorted[j]) > p.threshold)
                    bits |= 1u << b;
            }
        }
        mask[t] = bits;
    } else if (PHASE == 2u) {
        if (t != 0u)
            return;
        if (p.start == 0u) {
            for (uint w = 0u; w < p.W; w++)
                removed[w] = 0u;
            keepCount = 0u;
        }
        uint kept = keepCount;
        for (uint i = p.start; i < min(p.end, m) && kept < p.maxKeep; i++) {
            if ((removed[i / 32u] & (1u << (i % 32u))) != 0u)
                continue;
            keep[kept] = order[i];
            kept++;
            uint row = i * p.W;
            for (uint w = i / 32u; w < p.W; w++)
                removed[w] |= mask[row + w];
        }
        keepCount = kept;
    } else {
        if (t < p.maxKeep && t >= keepCount)
            keep[t] = -1;
    }
}
