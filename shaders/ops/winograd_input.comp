#version 450
// Winograd input transform (Lavin & Gray) for a convolution whose kernel is 3 (transformed, output
// tile m = 2 or 4, patch alpha = m + 2) or 1 (passed through, alpha = 1) along each of T, H, W: the
// 1x3x3 convolutions run F(m x m, 3x3), the 3x1x1 ones F(m, 3) along time. Every
// ALPHA_T x ALPHA_H x ALPHA_W input patch d of an output tile becomes V = d x_T B x_H B x_W B (B^T
// applied along each transformed axis), scattered into PATCH = ALPHA_T * ALPHA_H * ALPHA_W matrices
// V_e (e = (a * ALPHA_H + b) * ALPHA_W + c) of (tiles, CIN), so that the convolution is PATCH GEMMs
// M_e = V_e x U_e (ops/winograd_output.comp finishes it).
//   alpha 4, F(2, 3): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   alpha 6, F(4, 3): B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
// Patches are at most 36 texels (1x6x6 or 6x1x1).
// Layout: X is (N, T, H, W, CIN) channels-last, an rgba32f texel buffer. Tile (n, k, i, j) covers
// outputs from (m_T * k, m_H * i, m_W * j) (m = 1 on a passed-through axis), so its patch starts at
// input (m_T * k - padT, m_H * i - padH, m_W * j - padW); tiles are numbered n-major, then k, i, j.
// V is one vec4 SSBO holding the matrices slab after slab, slab e starting at texel e * slabTexels
// (slabs are padded so each starts at a bindable offset: the GEMMs bind them as views).
// One invocation per (tile, channel texel), flat over a 2D grid, split with divmod_small (the host
// keeps tiles * channel texels below DIVMOD_SMALL_LIMIT). Bounds: patch texels outside the input are
// zero (clamped load times a mask, no branch); the flat index is checked against the count.
#extension GL_EXT_control_flow_attributes : require
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint ALPHA_T = 1;
layout(constant_id = 1) const uint ALPHA_H = 4;
layout(constant_id = 2) const uint ALPHA_W = 4;
const uint PATCH = ALPHA_T * ALPHA_H * ALPHA_W;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 V[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;   // T, H, W, CIN/4
    uvec4 tiles;    // tiles along T, H, W, tiles in all
    ivec4 pad;      // padT, padH, padW, texels per slab
} p;

// Output tile along an axis of patch alpha.
uint tileOf(uint alpha) {
    return alpha == 1u ? 1u : alpha - 2u;
}

// v = B^T v for one line of alpha (4 or 6) values.
void transform(inout vec4 v[6], uint alpha) {
    if (alpha == 4u) {
        vec4 r0 = v[0] - v[2];
        vec4 r1 = v[1] + v[2];
        vec4 r2 = v[2] - v[1];
        vec4 r3 = v[1] - v[3];
        v[0] = r0; v[1] = r1; v[2] = r2; v[3] = r3;
    } else {
        vec4 r0 = 4.0 * v[0] - 5.0 * v[2] + v[4];
        vec4 r1 = v[3] + v[4] - 4.0 * (v[1] + v[2]);
        vec4 r2 = v[4] - v[3] + 4.0 * (v[1] - v[2]);
        vec4 r3 = v[4] - v[2] + 2.0 * (v[3] - v[1]);
        vec4 r4 = v[4] - v[2] + 2.0 * (v[1] - v[3]);
        vec4 r5 = 4.0 * v[1] - 5.0 * v[3] + v[5];
        v[0] = r0; v[1] = r1; v[2] = r2; v[3] = r3; v[4] = r4; v[5] = r5;
    }
}

void main() {
    uint cin4 = p.inDims.w;
    uint i = flat_invocation();
    if (i >= p.tiles.w * cin4)
        return;
    uvec2 tc = divmod_small(i, cin4);
    uint tile = tc.x;
    uint c4 = tc.y;
    uvec2 w = divmod_small(tile, p.tiles.z);
    uvec2 h = divmod_small(w.x, p.tiles.y);
    uvec2 t = divmod_small(h.x, p.tiles.x);
    uint tw = w.y;
    uint th = h.y;
    uint tt = t.y;
    uint n = t.x;
    ivec3 size = ivec3(p.inDims.xyz);
    ivec3 origin = ivec3(tt * tileOf(ALPHA_T), th * tileOf(ALPHA_H), tw * tileOf(ALPHA_W)) - p.pad.xyz;
    int clip = int(n) * size.x;

    vec4 d[36];
    [[unroll]] for (uint a = 0u; a < ALPHA_T; a++) {
        int t = origin.x + int(a);
        float frameMask = (t >= 0 && t < size.x) ? 1.0 : 0.0;
        int frame = (clip + clamp(t, 0, size.x - 1)) * size.y;
        [[unroll]] for (uint b = 0u; b < ALPHA_H; b++) {
            int y = origin.y + int(b);
            float rowMask = (y >= 0 && y < size.y) ? frameMask : 0.0;
            int row = (frame + clamp(y, 0, size.y - 1)) * size.z;
            [[unroll]] for (uint c = 0u; c < ALPHA_W; c++) {
                int x = origin.z + int(c);
                float mask = (x >= 0 && x < size.z) ? rowMask : 0.0;
                d[(a * ALPHA_H + b) * ALPHA_W + c] = mask * imageLoad(X, (row + clamp(x, 0, size.z - 1)) * int(cin4) + int(c4));
            }
        }
    }

    // B^T along T, then H, then W, each over every line of the patch along that axis.
    if (ALPHA_T > 1u) {
        [[unroll]] for (uint bc = 0u; bc < ALPHA_H * ALPHA_W; bc++) {
            vec4 line[6];
            [[unroll]] for (uint a = 0u; a < ALPHA_T; a++)
                line[a] = d[a * ALPHA_H * ALPHA_W + bc];
            transform(line, ALPHA_T);
            [[unroll]] for (uint a = 0u; a < ALPHA_T; a++)
                d[a * ALPHA_H * ALPHA_W + bc] = line[a];
        }
    }
    if (ALPHA_H > 1u) {
        [[unroll]] for (uint a = 0u; a < ALPHA_T; a++) {
            [[unroll]] for (uint c = 0u; c < ALPHA_W; c++) {
                vec4 line[6];
                [[unroll]] for (uint b = 0u; b < ALPHA_H; b++)
                    line[b] = d[(a * ALPHA_H + b) * ALPHA_W + c];
                transform(line, ALPHA_H);
                [[unroll]] for (uint b = 0u; b < ALPHA_H; b++)
                    d[(a * ALPHA_H + b) * ALPHA_W + c] = line[b];
            }
        }
    }
    if (ALPHA_W > 1u) {
        [[unroll]] for (uint ab = 0u; ab < ALPHA_T * ALPHA_H; ab++) {
            vec4 line[6];
            [[unroll]] for (uint c = 0u; c < ALPHA_W; c++)
                line[c] = d[ab * ALPHA_W + c];
            transform(line, ALPHA_W);
            [[unroll]] for (uint c = 0u; c < ALPHA_W; c++)
                d[ab * ALPHA_W + c] = line[c];
        }
    }
    uint at = tile * cin4 + c4;
    uint slab = uint(p.pad.w);
    [[unroll]] for (uint e = 0u; e < PATCH; e++)
        V[at + e * slab] = d[e];
}
