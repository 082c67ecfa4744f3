#version 450
// Winograd output transform with the direct convolution's epilogue, for a kernel of 3 (transformed,
// tile m = ALPHA - 2) or 1 (passed through, ALPHA = 1, m = 1) along each of T, H, W (see
// ops/winograd_input.comp): the PATCH = ALPHA_T * ALPHA_H * ALPHA_W GEMM products m_e
// (e = (a * ALPHA_H + b) * ALPHA_W + c) of a tile give its m_T x m_H x m_W outputs Y (A^T applied
// along each transformed axis), then + bias, + residual, ReLU.
//   alpha 4, F(2, 3): A^T = [1 1 1 0; 0 1 -1 -1]
//   alpha 6, F(4, 3): A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// Layout: M is the matrices (tiles, COUT) slab after slab (slab e at texel e * slabTexels), an
// rgba32f texel buffer; tiles are numbered as in ops/winograd_input.comp. Out and R are channels-last
// (N, To, Ho, Wo, COUT); Out is a vec4 SSBO, bias and R texel buffers.
// One invocation per (tile, channel texel), flat over a 2D grid, split with divmod_small (the host
// keeps tiles * channel texels below DIVMOD_SMALL_LIMIT). Bounds: the flat index is checked against
// the count, and the outputs of a partial last tile (an extent not a multiple of m) are not stored.
#extension GL_EXT_control_flow_attributes : require
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_BIAS = false;
layout(constant_id = 1) const bool HAS_RESIDUAL = false;
layout(constant_id = 2) const bool RELU = false;
layout(constant_id = 3) const uint ALPHA_T = 1;
layout(constant_id = 4) const uint ALPHA_H = 4;
layout(constant_id = 5) const uint ALPHA_W = 4;
const uint PATCH = ALPHA_T * ALPHA_H * ALPHA_W;

layout(binding = 0, rgba32f) uniform readonly imageBuffer M;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 3, rgba32f) uniform readonly imageBuffer Residual;

layout(push_constant) uniform Push {
    uvec4 outDims;  // To, Ho, Wo, COUT/4
    uvec4 tiles;    // tiles along T, H, W, tiles in all
    uvec4 slab;     // texels per slab, -, -, -
} p;

// Output tile along an axis of patch alpha.
uint tileOf(uint alpha) {
    return alpha == 1u ? 1u : alpha - 2u;
}

// v[0 .. m) = A^T v for one line of alpha (4 or 6) values.
void transform(inout vec4 v[6], uint alpha) {
    if (alpha == 4u) {
        vec4 y0 = v[0] + v[1] + v[2];
        vec4 y1 = v[1] - v[2] - v[3];
        v[0] = y0; v[1] = y1;
    } else {
        vec4 sum = v[1] + v[2];
        vec4 diff = v[1] - v[2];
        vec4 sum34 = v[3] + v[4];
        vec4 diff34 = v[3] - v[4];
        vec4 y0 = v[0] + sum + sum34;
        vec4 y1 = diff + 2.0 * diff34;
        vec4 y2 = sum + 4.0 * sum34;
        vec4 y3 = diff + 8.0 * diff34 + v[5];
        v[0] = y0; v[1] = y1; v[2] = y2; v[3] = y3;
    }
}

void main() {
    uint cout4 = p.outDims.w;
    uint i = flat_invocation();
    if (i >= p.tiles.w * cout4)
        return;
    uvec2 tc = divmod_small(i, cout4);
    uint tile = tc.x;
    uint c4 = tc.y;
    uvec2 w = divmod_small(tile, p.tiles.z);
    uvec2 h = divmod_small(w.x, p.tiles.y);
    uvec2 t = divmod_small(h.x, p.tiles.x);
    uint tw = w.y;
    uint th = h.y;
    uint tt = t.y;
    uint n = t.x;
    int at = int(tile * cout4 + c4);
    int slab = int(p.slab.x);
    uint mT = tileOf(ALPHA_T);
    uint mH = tileOf(ALPHA_H);
    uint mW = tileOf(ALPHA_W);

    vec4 s[36];
    [[unroll]] for (uint e = 0u; e < PATCH; e++)
        s[e] = imageLoad(M, at + int(e) * slab);
    // A^T along T, then H, then W; each keeps the patch's strides and leaves its m results at the
    // line's first m places.
    if (ALPHA_T > 1u) {
        [[unroll]] for (uint bc = 0u; bc < ALPHA_H * ALPHA_W; bc++) {
            vec4 line[6];
            [[unroll]] for (uint a = 0u; a < ALPHA_T; a++)
                line[a] = s[a * ALPHA_H * ALPHA_W + bc];
            transform(line, ALPHA_T);
            [[unroll]] for (uint a = 0u; a < mT; a++)
                s[a * ALPHA_H * ALPHA_W + bc] = line[a];
        }
    }
    if (ALPHA_H > 1u) {
        [[unroll]] for (uint a = 0u; a < mT; a++) {
            [[unroll]] for (uint c = 0u; c < ALPHA_W; c++) {
                vec4 line[6];
                [[unroll]] for (uint b = 0u; b < ALPHA_H; b++)
                    line[b] = s[(a * ALPHA_H + b) * ALPHA_W + c];
                transform(line, ALPHA_H);
                [[unroll]] for (uint b = 0u; b < mH; b++)
                    s[(a * ALPHA_H + b) * ALPHA_W + c] = line[b];
            }
        }
    }
    if (ALPHA_W > 1u) {
        [[unroll]] for (uint a = 0u; a < mT; a++) {
            [[unroll]] for (uint b = 0u; b < mH; b++) {
                vec4 line[6];
                [[unroll]] for (uint c = 0u; c < ALPHA_W; c++)
                    line[c] = s[(a * ALPHA_H + b) * ALPHA_W + c];
                transform(line, ALPHA_W);
                [[unroll]] for (uint c = 0u; c < mW; c++)
                    s[(a * ALPHA_H + b) * ALPHA_W + c] = line[c];
            }
        }
    }

    vec4 bias = HAS_BIAS ? imageLoad(Bias, int(c4)) : vec4(0.0);
    uvec3 size = p.outDims.xyz;
    [[unroll]] for (uint a = 0u; a < mT; a++) {
        uint t = tt * mT + a;
        if (t >= size.x)
            break;
        [[unroll]] for (uint b = 0u; b < mH; b++) {
            uint y = th * mH + b;
            if (y >= size.y)
                break;
            [[unroll]] for (uint c = 0u; c < mW; c++) {
                uint x = tw * mW + c;
                if (x >= size.z)
                    break;
                uint o = (((n * size.x + t) * size.y + y) * size.z + x) * cout4 + c4;
                vec4 v = s[(a * ALPHA_H + b) * ALPHA_W + c] + bias;
                if (HAS_RESIDUAL)
                    v += imageLoad(Residual, int(o));
                O[o] = RELU ? max(v, vec4(0.0)) : v;
            }
        }
    }
}
