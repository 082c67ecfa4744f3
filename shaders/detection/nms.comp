#version 450
// Greedy NMS with torchvision's semantics over any number of candidates, in chunks of at most R
// sorted boxes so the suppression mask stays R x R bits whatever the count (the first chunk is
// smaller and each next one twice as long up to R, so a frame whose result is complete after a few
// hundred boxes builds a small mask): the candidates are already sorted by the top-k op (score
// descending, lower index first on ties, as torchvision's stable sort); box i suppresses a later box
// j when IoU(i, j) > threshold (strict, no +1), and, with HAS_GROUPS, only within its group (class,
// or FPN level). With groups and at most OFFSET_LIMIT valid candidates the IoU is taken on boxes
// shifted by group * (max coordinate + 1) in fp32 and the groups are not compared, which is what
// torchvision's batched_nms computes for so few boxes (torchvision/ops/boxes.py: batched_nms takes
// _batched_nms_coordinate_trick when boxes.numel() <= 4000 on the CPU; the shift rounds the
// coordinates); past it, _batched_nms_vanilla compares groups.
// PHASE 4 (one invocation) resets the state and plans the indirect dispatches: PHASE 0 over the
// valid candidates, the first chunk's PHASE 2 and 3, and no workgroups for every later chunk. PHASE 0
// gathers the sorted boxes and groups and the largest coordinate of the valid ones. Then per chunk
// [c0, c1), both indirect: PHASE 2 builds, for each valid row i of the chunk, (c1 - c0) / 32 words
// (row stride W = R / 32) whose bit b of word w says row i suppresses the chunk's row 32w + b (> i),
// and marks the rows a box kept in an earlier chunk suppresses (the (row, word w) invocation tests
// the kept boxes of index w modulo the words); PHASE 3 is one invocation that walks the rows
// start..end-1 in order, keeps each one not yet suppressed and ORs its words into Removed, stopping
// at maxKeep (the op records as many PHASE 3 dispatches as keep each one's loop bounded; the chunk's
// last one clears Removed and, when fewer than maxKeep are kept and valid candidates remain, sizes
// the next chunk's dispatches). So a chunk past the valid candidates or after maxKeep kept boxes
// runs no workgroups at all, and every phase still returns at once in that case. PHASE 5 writes -1
// past the count.
// Layout: Order (n) int32 sorted box indices; OrderCount (1) uint32 how many are valid (<= n);
// Boxes (R, 4) rgba32f texel buffer; Groups (R) int32 (HAS_GROUPS); Sorted (n) vec4; SortedGroups (n)
// int32; Mask (R * W) uint32; Removed (W) uint32, bit r of the chunk's row c0 + r; State (1) uint32:
// the largest valid coordinate as an order-preserving key; Keep (maxKeep) int32, -1 past the count;
// KeepCount (1) uint32; Args (3 + 6 chunks) uint32: VkDispatchIndirectCommand of PHASE 0, then per
// chunk those of PHASE 2 and 3. Tile: one sorted box (phase 0), one (row, word) pair (phase 2) or
// one keep slot (phase 5) per invocation on a flat 2D grid, bounds-checked; phase 3 runs serially,
// at most W + (end - start) + min(end - start, maxKeep) * W loop iterations (a row costs one, a kept
// row W more).
#include "index.glsl"
#include "detection.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool HAS_GROUPS = false;
layout(constant_id = 2) const uint OFFSET_LIMIT = 1000;

layout(binding = 0) readonly buffer Order { int order[]; };
layout(binding = 1) readonly buffer OrderCount { uint orderCount; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 3) readonly buffer Groups { int groups[]; };
layout(binding = 4) buffer Sorted { vec4 sorted[]; };
layout(binding = 5) buffer SortedGroups { int sortedGroups[]; };
layout(binding = 6) buffer Mask { uint mask[]; };
layout(binding = 7) buffer Removed { uint removed[]; };
layout(binding = 8) buffer State { uint maxKey; };
layout(binding = 9) buffer Keep { int keep[]; };
layout(binding = 10) buffer KeepCount { uint keepCount; };
layout(binding = 11) writeonly buffer Args { uint args[]; };

layout(push_constant) uniform Push {
    uint n;
    uint W;
    uint maxKeep;
    float threshold;
    uint c0;     // the chunk's first sorted row
    uint c1;     // one past its last
    uint start;  // PHASE 3: the rows it walks
    uint end;
    uint R;      // the most rows of a chunk (the mask's row stride is W = R / 32 words)
    uint chunks;
    uint chunk;  // the chunk's index
} p;

uint valid() {
    return min(orderCount, p.n);
}

// An order-preserving uint of a float (larger float, larger key), for atomicMax.
uint ordered(float v) {
    uint u = floatBitsToUint(v);
    return (u & 0x80000000u) != 0u ? ~u : u | 0x80000000u;
}

float unordered(uint k) {
    return uintBitsToFloat((k & 0x80000000u) != 0u ? k & 0x7fffffffu : ~k);
}

bool offsetTrick() {
    return HAS_GROUPS && valid() <= OFFSET_LIMIT;
}

// torchvision's offsets: idxs.to(boxes) * (max_coordinate + 1), added to each coordinate, all fp32.
vec4 shifted(vec4 box, int group) {
    precise float span = unordered(maxKey) + 1.0;
    precise float offset = float(group) * span;
    precise vec4 result = box + vec4(offset);
    return result;
}

bool suppresses(vec4 a, int ga, vec4 b, int gb) {
    if (offsetTrick())
        return box_iou(shifted(a, ga), shifted(b, gb)) > p.threshold;
    return ga == gb && box_iou(a, b) > p.threshold;
}

bool chunkDone() {
    return p.c0 >= valid() || keepCount >= p.maxKeep;
}

void setArgs(uint slot, uvec3 grid) {
    args[3u * slot] = grid.x;
    args[3u * slot + 1u] = grid.y;
    args[3u * slot + 2u] = grid.z;
}

// Mask words per row of the chunk [c0, c1).
uint chunkWords() {
    return ceil_div(p.c1 - p.c0, 32u);
}

// Sizes the dispatches (slots 1 + 2c and 2 + 2c) of chunk c, rows [c0, c0 + size).
void planChunk(uint c, uint c0, uint size, uint m) {
    setArgs(1u + 2u * c, flat_grid(min(size, m - c0) * ceil_div(size, 32u), gl_WorkGroupSize.x));
    setArgs(2u + 2u * c, uvec3(1u));
}

void main() {
    uint t = flat_invocation();
    uint m = valid();
    if (PHASE == 4u) {
        if (t != 0u)
            return;
        for (uint w = 0u; w < p.W; w++)
            removed[w] = 0u;
        keepCount = 0u;
        maxKey = 0u;
        setArgs(0u, flat_grid(m, gl_WorkGroupSize.x));
        for (uint s = 1u; s < 1u + 2u * p.chunks; s++)
            setArgs(s, uvec3(0u, 1u, 1u));
        if (m > 0u && p.maxKeep > 0u)
            planChunk(0u, 0u, p.c1, m);
    } else if (PHASE == 0u) {
        if (t >= m)
            return;
        int c = order[t];
        vec4 box = imageLoad(Boxes, c);
        sorted[t] = box;
        sortedGroups[t] = HAS_GROUPS ? groups[c] : 0;
        if (HAS_GROUPS)
            atomicMax(maxKey, ordered(max(max(box.x, box.y), max(box.z, box.w))));
    } else if (PHASE == 2u) {
        if (chunkDone())
            return;
        uint words = chunkWords();
        uint r = t / words;
        uint w = t % words;
        if (r >= min(p.c1, m) - p.c0)
            return;
        uint i = p.c0 + r;
        uint end = min(p.c1, m);
        uint bits = 0u;
        uint first = p.c0 + 32u * w;
        vec4 a = sorted[i];
        int g = sortedGroups[i];
        if (first + 31u > i && first < end) {
            for (uint b = 0u; b < 32u; b++) {
                uint j = first + b;
                if (j > i && j < end && suppresses(a, g, sorted[j], sortedGroups[j]))
                    bits |= 1u << b;
            }
        }
        mask[r * p.W + w] = bits;
        // Boxes kept in earlier chunks: this (row, word) invocation tests those of index w mod words.
        for (uint k = w; k < keepCount; k += words) {
            int c = keep[k];
            if (suppresses(imageLoad(Boxes, c), HAS_GROUPS ? groups[c] : 0, a, g)) {
                atomicOr(removed[r / 32u], 1u << (r % 32u));
                break;
            }
        }
    } else if (PHASE == 3u) {
        if (t != 0u || chunkDone())
            return;
        uint kept = keepCount;
        uint words = chunkWords();
        for (uint i = p.start; i < min(p.end, m) && kept < p.maxKeep; i++) {
            uint r = i - p.c0;
            if ((removed[r / 32u] & (1u << (r % 32u))) != 0u)
                continue;
            keep[kept] = order[i];
            kept++;
            uint row = r * p.W;
            for (uint w = r / 32u; w < words; w++)
                removed[w] |= mask[row + w];
        }
        keepCount = kept;
        if (p.end == p.c1) {
            for (uint w = 0u; w < words; w++)
                removed[w] = 0u;
            if (kept < p.maxKeep && p.c1 < m)
                planChunk(p.chunk + 1u, p.c1, min(min(2u * (p.c1 - p.c0), p.R), p.n - p.c1), m);
        }
    } else {
        if (t < p.maxKeep && t >= keepCount)
            keep[t] = -1;
    }
}
