#version 450
// Stream compaction of candidates: index i of Scores (rows, K) flat is kept when its score (after a
// sigmoid when SIGMOID) is above the threshold (>= when INCLUSIVE), its column i % K is not the
// excluded one, its row is below the valid row count, and, when MIN_SIZE, box i of Boxes is at least
// minSize wide and high (torchvision's remove_small_boxes). Kept indices are appended through an
// atomic counter, so their order is unspecified: sorts downstream break ties by the index itself.
// Layout: Scores r32f texel buffer; Boxes (rows*K, 4) rgba32f texel buffer (read when MIN_SIZE);
// RowCount (1) uint32 (read when HAS_COUNT); Kept (rows*K) int32; KeptCount (1) uint32, zeroed by
// the op (a fill) before this dispatch. Tile: one candidate per invocation on a flat 2D
// grid, bounds-checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool SIGMOID = false;
layout(constant_id = 1) const bool INCLUSIVE = false;
layout(constant_id = 2) const bool MIN_SIZE = false;
layout(constant_id = 3) const bool HAS_COUNT = false;

layout(binding = 0, r32f) uniform readonly imageBuffer Scores;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 2) readonly buffer RowCount { uint rowCount; };
layout(binding = 3) writeonly buffer Kept { int kept[]; };
layout(binding = 4) buffer KeptCount { uint keptCount; };

layout(push_constant) uniform Push {
    uint n;
    uint K;
    int excludeColumn;
    float threshold;
    float minSize;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n)
        return;
    if (HAS_COUNT && i / p.K >= rowCount)
        return;
    if (int(i % p.K) == p.excludeColumn)
        return;
    float s = imageLoad(Scores, int(i)).x;
    if (SIGMOID)
        s = 1.0 / (1.0 + exp(-s));
    if (INCLUSIVE ? !(s >= p.threshold) : !(s > p.threshold))
        return;
    if (MIN_SIZE) {
        vec4 b = imageLoad(Boxes, int(i));
        if (!(b.z - b.x >= p.minSize && b.w - b.y >= p.minSize))
            return;
    }
    kept[atomicAdd(keptCount, 1u)] = int(i);
}
