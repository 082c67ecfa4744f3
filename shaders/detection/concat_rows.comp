#version 450
// Concatenation of row lists that each have a valid count (per-level proposals): the valid rows of
// every source follow each other with no gaps, and Total ends as the sum of the counts.
// PHASE 0 copies source rows [0, Count) to output rows [Total, Total + Count) and, when SOURCE_IDS,
// writes the source's id for each of them; PHASE 1 adds Count to Total. The op zeroes Total
// (a fill) and records both phases per source, so Total is the running offset.
// Layout: Source (rows, cols) 32-bit words; Count (1) uint32; Out (sum of rows, cols) words; Ids
// (sum of rows) int32; Total (1) uint32. Tile: one word per invocation on a flat 2D grid,
// bounds-checked against the source's count.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint PHASE = 0;
layout(constant_id = 1) const bool SOURCE_IDS = false;

layout(binding = 0) readonly buffer Source { uint source[]; };
layout(binding = 1) readonly buffer Count { uint count; };
layout(binding = 2) writeonly buffer Out { uint O[]; };
layout(binding = 3) writeonly buffer Ids { int ids[]; };
layout(binding = 4) buffer Total { uint total; };

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    int id;
} p;

void main() {
    uint t = flat_invocation();
    uint valid = min(count, p.rows);
    if (PHASE == 1u) {
        if (t == 0u)
            total += valid;
        return;
    }
    if (t >= valid * p.cols)
        return;
    uint row = total + t / p.cols;
    O[row * p.cols + t % p.cols] = source[t];
    if (SOURCE_IDS && t % p.cols == 0u)
        ids[row] = p.id;
}
