#version 450
// Winograd F(TILE x TILE, 3x3) output transform, TILE = 2 or 4 (ALPHA = TILE + 2), with the direct
// convolution's epilogue: the ALPHA^2 GEMM products m_e (e = ALPHA * a + b) of a tile give its
// TILE x TILE outputs Y = A^T m A, then + bias, + residual, ReLU.
//   F(2x2): A^T = [1 1 1 0; 0 1 -1 -1]
//   F(4x4): A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Layout: M is the matrices (tiles, COUT) slab after slab (slab e at texel e * slabTexels), an
// rgba32f texel buffer; tiles are numbered as in ops/winograd_input.comp. Out and R are channels-last
// (F, Ho, Wo, COUT), F = N * T frames; Out is a vec4 SSBO, bias and R texel buffers.
// One invocation per (tile, channel texel), flat over a 2D grid. Bounds: the flat index is checked
// against the count, and the outputs of a partial last tile (Ho or Wo not a multiple of TILE) are not stored.
#extension GL_EXT_control_flow_attributes : require
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_BIAS = false;
layout(constant_id = 1) const bool HAS_RESIDUAL = false;
layout(constant_id = 2) const bool RELU = false;
layout(constant_id = 3) const uint TILE = 2;
const uint ALPHA = TILE + 2u;

layout(binding = 0, rgba32f) uniform readonly imageBuffer M;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 3, rgba32f) uniform readonly imageBuffer Residual;

layout(push_constant) uniform Push {
    uvec4 outDims;  // Ho, Wo, COUT/4, -
    uvec4 tiles;    // tiles along H, tiles along W, tiles in all, texels per slab
} p;

// y = A^T v for one line of ALPHA values.
void transform(vec4 v[6], out vec4 y[4]) {
    if (TILE == 2u) {
        y[0] = v[0] + v[1] + v[2];
        y[1] = v[1] - v[2] - v[3];
        y[2] = vec4(0.0);
        y[3] = vec4(0.0);
    } else {
        vec4 sum = v[1] + v[2];
        vec4 diff = v[1] - v[2];
        vec4 sum34 = v[3] + v[4];
        vec4 diff34 = v[3] - v[4];
        y[0] = v[0] + sum + sum34;
        y[1] = diff + 2.0 * diff34;
        y[2] = sum + 4.0 * sum34;
        y[3] = diff + 8.0 * diff34 + v[5];
    }
}

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

    // Columns (A^T m), then rows ((A^T m) A).
    vec4 s[4][6];
    [[unroll]] for (uint b = 0u; b < ALPHA; b++) {
        vec4 line[6];
        [[unroll]] for (uint a = 0u; a < ALPHA; a++)
            line[a] = imageLoad(M, at + int(a * ALPHA + b) * slab);
        vec4 y[4];
        transform(line, y);
        [[unroll]] for (uint r = 0u; r < TILE; r++)
            s[r][b] = y[r];
    }
    vec4 bias = HAS_BIAS ? imageLoad(Bias, int(c4)) : vec4(0.0);
    uvec2 size = p.outDims.xy;
    [[unroll]] for (uint r = 0u; r < TILE; r++) {
        uint y = th * TILE + r;
        if (y >= size.x)
            break;
        vec4 row[4];
        transform(s[r], row);
        [[unroll]] for (uint c = 0u; c < TILE; c++) {
            uint x = tw * TILE + c;
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
