#version 450
// Integer labels of a flat index: Out[i] = (i / divisor) % modulo, e.g. the class of each entry of an
// (R, K) score matrix (divisor 1, modulo K) for class-aware NMS and the final labels.
// Layout: Out (n) int32. Tile: one element per invocation on a flat 2D grid, bounds-checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0) writeonly buffer Out { int O[]; };

layout(push_constant) uniform Push {
    uint n;
    uint divisor;
    uint modulo;
} p;

void main() {
    uint t = flat_invocation();
    if (t < p.n)
        O[t] = int((t / p.divisor) % p.modulo);
}
