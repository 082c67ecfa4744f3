#version 450
// Gathers rows by index: Out[j, :] = Source[Indices[j], :] for j below the valid count, zeros after
// and for indices outside [0, R) (the -1 that top-k and NMS write past their counts).
// Elements are copied as 32-bit words, so any 4-byte type works (boxes, scores, labels); with SIGMOID
// they are fp32 logits and the sigmoid of each is written (an RPN's top-k objectness probabilities).
// Layout: Source (R, cols) and Out (K, cols) 32-bit words, contiguous; Indices (K) int32; Count (1)
// uint32 valid rows (HAS_COUNT, else K). Tile: one word per invocation on a flat 2D grid,
// bounds-checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_COUNT = false;
layout(constant_id = 1) const bool SIGMOID = false;

layout(binding = 0) readonly buffer Source { uint source[]; };
layout(binding = 1) readonly buffer Indices { int indices[]; };
layout(binding = 2) readonly buffer Count { uint count; };
layout(binding = 3) writeonly buffer Out { uint O[]; };

layout(push_constant) uniform Push {
    uint K;
    uint cols;
    uint R;
} p;

void main() {
    uint t = flat_invocation();
    if (t >= p.K * p.cols)
        return;
    uint j = t / p.cols;
    if (HAS_COUNT && j >= count) {
        O[t] = 0u;
        return;
    }
    int row = indices[j];
    if (row < 0 || uint(row) >= p.R) {
        O[t] = 0u;
        return;
    }
    uint v = source[uint(row) * p.cols + t % p.cols];
    O[t] = SIGMOID ? floatBitsToUint(1.0 / (1.0 + exp(-uintBitsToFloat(v)))) : v;
}
