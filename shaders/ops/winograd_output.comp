#version 450
// Winograd F(2x2, 3x3) output transform with the direct convolution's epilogue: the 16 GEMM products
// m_e (e = 4a + b) of a tile give its 2x2 outputs Y = A^T m A, then + bias, + residual, ReLU.
//   A^T = [1 1 1 0; 0 1 -1 -1]
// Layout: M is the 16 matrices (tiles, COUT) slab after slab (slab e at texel e * slabTexels), an
// rgba32f texel buffer; tiles are numbered as in ops/winograd_input.comp. Out and R are channels-last
// (F, Ho, Wo, COUT), F = N * T frames; Out is a vec4 SSBO, bias and R texel buffers.
// One invocation per (tile, channel texel), flat over a 2D grid. Bounds: the flat index is checked
// against the count, and the outputs of a partial last tile (odd Ho or Wo) are not stored.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_BIAS = false;
layout(constant_id = 1) const bool HAS_RESIDUAL = false;
layout(constant_id = 2) const bool RELU = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer M;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 3, rgba32f) uniform readonly imageBuffer Residual;

layout(push_constant) uniform Push {
    uvec4 outDims;  // Ho, Wo, COUT/4, -
    uvec4 tiles;    // tiles along H, tiles along W, tiles in all, texels per slab
} p;

void main() {
    uint cout4 = p.outDims.z;
    uint i = flat_invocation();
    if (i >= p.tiles.z * cout4)
        return;
    uint c4 = i % cout4;
    uint tile = i / cout4;
    uint tw = tile % p.tiles.y;
    uint th = (tile / p.tiles.y) % p.tiles.x;
    uint f = tile / (p.tiles.y * p.tiles.x);
    int at = int(tile * cout4 + c4);
    int slab = int(p.tiles.w);

    // s = A^T m (rows of the 4x4 product), then Y = s A (columns).
    vec4 s[2][4];
    for (int c = 0; c < 4; c++) {
        vec4 m0 = imageLoad(M, at + c * slab);
        vec4 m1 = imageLoad(M, at + (4 + c) * slab);
        vec4 m2 = imageLoad(M, at + (8 + c) * slab);
        vec4 m3 = imageLoad(M, at + (12 + c) * slab);
        s[0][c] = m0 + m1 + m2;
        s[1][c] = m1 - m2 - m3;
    }
    vec4 bias = HAS_BIAS ? imageLoad(Bias, int(c4)) : vec4(0.0);
    uvec2 size = p.outDims.xy;
    for (uint r = 0u; r < 2u; r++) {
        uint y = th * 2u + r;
        if (y >= size.x)
            break;
        vec4 row[2];
        row[0] = s[r][0] + s[r][1] + s[r][2];
        row[1] = s[r][1] - s[r][2] - s[r][3];
        for (uint c = 0u; c < 2u; c++) {
            uint x = tw * 2u + c;
            if (x >= size.y)
                break;
            uint o = ((f * size.x + y) * size.y + x) * cout4 + c4;
            vec4 v = row[c] + bias;
            if (HAS_RESIDUAL)
                v += imageLoad(Residual, int(o));
            O[o] = RELU ? max(v, vec4(0.0)) : v;
        }
    }
}
