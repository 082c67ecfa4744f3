#version 450
// Max-pool with kernel = stride = (pt, ph, pw), no padding, floor (the non-local block's subsampling
// of x, or of its phi and g projections).
// Layout: input (N, T, H, W, C4 texels) channels-last, read as rgba32f texels; output (N, Tk, Hk, Wk,
// C4) written as vec4. The output binding is a view that starts at output row `row_base`, so a large
// output can be written in chunks that each fit one storage-buffer binding.
// Tile: one output texel (4 channels of one pixel) per invocation over a 2D grid; bounds checked
// against the chunk's texel count.
#include "index.glsl"

layout(local_size_x = 64) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer In;
layout(binding = 1) writeonly buffer Out { vec4 o[]; };

layout(push_constant) uniform Push {
    uint t, h, w, c4;
    uint tk, hk, wk;
    uint pt, ph, pw;
    uint row_base;
    uint rows;
} p;

void main() {
    uint id = flat_invocation();
    if (id >= p.rows * p.c4)
        return;
    uint row = p.row_base + id / p.c4;
    uint c = id % p.c4;
    uint x = row % p.wk;
    uint y = (row / p.wk) % p.hk;
    uint f = (row / (p.wk * p.hk)) % p.tk;
    uint n = row / (p.wk * p.hk * p.tk);
    vec4 m = vec4(-3.402823466e38);
    for (uint dt = 0u; dt < p.pt; dt++)
        for (uint dy = 0u; dy < p.ph; dy++)
            for (uint dx = 0u; dx < p.pw; dx++) {
                uint src = ((n * p.t + f * p.pt + dt) * p.h + y * p.ph + dy) * p.w + x * p.pw + dx;
                m = max(m, imageLoad(In, int(src * p.c4 + c)));
            }
    o[id] = m;
}
