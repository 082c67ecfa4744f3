#version 450
// Elementwise ops on vec4 texels of fp32 tensors with n4 texels (element counts multiples of 4):
//   OP 0 add: A + B      OP 1 mul: A * B      OP 2 scale: A * alpha + beta
//   OP 3 relu: max(A, 0) OP 4 sigmoid(A)      OP 5 affine: A * B + C
// then max(., 0) when RELU. B and C broadcast by repetition: texel i reads B[i % periodB4] and
// C[i % periodC4], so a per-channel vector over channels-last pixels is period Cp/4, a same-sized
// tensor period n4. Layout: A, B, C are rgba32f texel buffers (unused ones may be any tensor),
// Out a vec4 SSBO; Out may be A (in place). Tile: one texel per invocation on a 2D grid (x
// overflowing into y); the flat index is bounds-checked. Chunking: Out is bound at texel `first4`
// and holds n4 texels, so an output larger than one storage-buffer range takes several dispatches.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint OP = 0;
layout(constant_id = 1) const bool RELU = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer A;
layout(binding = 1, rgba32f) uniform readonly imageBuffer B;
layout(binding = 2, rgba32f) uniform readonly imageBuffer C;
layout(binding = 3) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uint first4;
    uint n4;
    uint periodB4;
    uint periodC4;
    float alpha;
    float beta;
} p;

void main() {
    uint local = flat_invocation();
    if (local >= p.n4)
        return;
    uint i = p.first4 + local;
    vec4 a = imageLoad(A, int(i));
    vec4 y;
    if (OP == 0u)
        y = a + imageLoad(B, int(i % p.periodB4));
    else if (OP == 1u)
        y = a * imageLoad(B, int(i % p.periodB4));
    else if (OP == 2u)
        y = a * p.alpha + p.beta;
    else if (OP == 3u)
        y = max(a, vec4(0.0));
    else if (OP == 4u)
        y = 1.0 / (1.0 + exp(-a));
    else
        y = a * imageLoad(B, int(i % p.periodB4)) + imageLoad(C, int(i % p.periodC4));
    if (RELU)
        y = max(y, vec4(0.0));
    O[local] = y;
}
