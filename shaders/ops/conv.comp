#version 450
// Convolution (1D/2D/3D, groups = 1) as an implicit GEMM over channels-last activations:
//   Out[m, co] = act(sum_{tap, ci} X[pixel(m) + tap, ci] * Wt[tap * CIN + ci, co] + bias[co] + R[m, co])
// Layout: X is (N, T, H, W, CIN) and Out/R are (N, To, Ho, Wo, COUT), all fp32 channels-last with
// CIN and COUT multiples of 4, read/written as vec4 texels. Wt is the packed weight matrix
// (kt*kh*kw*CIN, COUT), row = ((a*kh + b)*kw + c)*CIN + ci, padded input channels zero.
// X, Wt, bias and R are rgba32f texel buffers (Wt rgba16f in the f16w build); Out is a vec4 SSBO.
// Tile: each invocation computes TILE_M output pixels x (4 * TILE_N4) output channels in registers,
// no shared memory (lavapipe's texel-buffer loads beat shared memory: docs/bench-log.md). A workgroup's lanes take LANES_C consecutive channel tiles
// of LOCAL / LANES_C consecutive pixel tiles: lanes of the same pixels load the same input texels
// (cheaper than distinct ones on lavapipe), and an output of fewer than LOCAL channel tiles (64
// channels) still keeps every lane busy. x walks groups of channel tiles, y (overflowing into z)
// groups of pixel tiles.
// Taps outside the input for every pixel of a tile are not visited (the temporal padding of a
// 3x1x1 or 5x7x7 kernel on 8 frames is 8-15% of its taps); within the visited range,
// padding is a multiplicative mask on the input texel rather than a branch: llvmpipe runs both sides
// of a branch it cannot prove uniform, so a masked-only loop beats two copies (docs/bench-log.md,
// 2026-11-21).
// Bounds: input taps outside the volume read as zero (mask); loads clamp the last pixel/channel tile,
// stores are bounds-checked. Chunking: Out is bound at pixel `row0` and holds `rows` pixels, so an
// output larger than one storage-buffer range is written by several dispatches; R is bound whole.
#include "tensor5.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_M = 8;
layout(constant_id = 2) const uint TILE_N4 = 2;
layout(constant_id = 3) const bool HAS_BIAS = false;
layout(constant_id = 4) const bool HAS_RESIDUAL = false;
layout(constant_id = 5) const bool RELU = false;
layout(constant_id = 6) const uint LANES_C = 8; // divides the local size

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
// The f16w build of this file (Shaders.targets) reads the weights as rgba16f texels.
#ifndef WEIGHT_FORMAT
#define WEIGHT_FORMAT rgba32f
#endif
layout(binding = 1, WEIGHT_FORMAT) uniform readonly imageBuffer Wt;
layout(binding = 2) writeonly buffer Out { vec4 O[]; };
layout(binding = 3, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 4, rgba32f) uniform readonly imageBuffer Residual;

layout(push_constant) uniform Push {
    uvec4 inDims;   // T, H, W, CIN/4
    uvec4 outDims;  // To, Ho, Wo, COUT/4
    uvec4 kernel;   // kt, kh, kw, -
    ivec4 stride;   // st, sh, sw, -
    ivec4 pad;      // pt, ph, pw, -
    ivec4 dilation; // dt, dh, dw, -
    uvec4 groups;   // read by ops/conv_grouped.comp only (one push layout for the family)
    uint row0;      // first output pixel of this chunk
    uint rows;      // output pixels in this chunk
} p;

void main() {
    uint cin4 = p.inDims.w;
    uint cout4 = p.outDims.w;
    uint lane = gl_LocalInvocationID.x;
    uint col4 = (gl_WorkGroupID.x * LANES_C + lane % LANES_C) * TILE_N4;
    uint row = (row_tile() * (gl_WorkGroupSize.x / LANES_C) + lane / LANES_C) * TILE_M;
    if (col4 >= cout4 || row >= p.rows)
        return;

    ivec3 origin[TILE_M];
    int batchBase[TILE_M];
    for (uint r = 0u; r < TILE_M; r++) {
        uvec4 o = pixel_coords(p.row0 + min(row + r, p.rows - 1u), p.outDims.x, p.outDims.y, p.outDims.z);
        origin[r] = ivec3(o.yzw) * p.stride.xyz - p.pad.xyz;
        batchBase[r] = int(o.x * p.inDims.x);
    }
    int bcol[TILE_N4];
    for (uint c = 0u; c < TILE_N4; c++)
        bcol[c] = int(min(col4 + c, cout4 - 1u));

    vec4 acc[TILE_M][TILE_N4];
    for (uint r = 0u; r < TILE_M; r++)
        for (uint c = 0u; c < TILE_N4; c++)
            acc[r][c] = vec4(0.0);

    ivec3 inSize = ivec3(p.inDims.xyz);
    // Tap a (b) reaches the input for some pixel of the tile iff lo <= T - 1 - a * d and
    // hi >= -a * d over the tile's origins: a loop range per tile, the rest stays masked.
    ivec2 lo = origin[0].xy;
    ivec2 hi = origin[0].xy;
    for (uint r = 1u; r < TILE_M; r++) {
        lo = min(lo, origin[r].xy);
        hi = max(hi, origin[r].xy);
    }
    ivec2 d = p.dilation.xy;
    ivec2 first = max(ivec2(0), (max(-hi, ivec2(0)) + d - 1) / d);
    ivec2 last = min(ivec2(p.kernel.xy) - 1, (max(inSize.xy - 1 - lo, ivec2(-1)) + d) / d - 1);
    int tapRow = int(p.kernel.z * cin4) * 4; // packed weight rows per kernel row
    for (int a = first.x; a <= last.x; a++)
    for (int b = first.y; b <= last.y; b++) {
        int wrow = (a * int(p.kernel.y) + b) * tapRow; // first packed weight row of the current tap
        // The (t, h) part of each pixel's address is shared by the kw taps of this kernel row.
        ivec2 th = ivec2(a, b) * d;
        int rowBase[TILE_M];
        bool rowOk[TILE_M];
        for (uint r = 0u; r < TILE_M; r++) {
            ivec2 q = origin[r].xy + th;
            rowOk[r] = all(greaterThanEqual(q, ivec2(0))) && all(lessThan(q, inSize.xy));
            rowBase[r] = ((batchBase[r] + q.x) * inSize.y + q.y) * inSize.z;
        }
        for (uint c = 0u; c < p.kernel.z; c++, wrow += int(cin4) * 4) {
            int dw = int(c) * p.dilation.z;
            int base[TILE_M];
            float mask[TILE_M];
            for (uint r = 0u; r < TILE_M; r++) {
                int w = origin[r].z + dw;
                bool ok = rowOk[r] && w >= 0 && w < inSize.z;
                mask[r] = ok ? 1.0 : 0.0;
                base[r] = ok ? (rowBase[r] + w) * int(cin4) : 0;
            }
                for (int k = 0; k < int(cin4); k++) {
                    vec4 wt[4][TILE_N4];
                    for (int kk = 0; kk < 4; kk++)
                        for (uint n = 0u; n < TILE_N4; n++)
                            wt[kk][n] = imageLoad(Wt, (wrow + k * 4 + kk) * int(cout4) + bcol[n]);
                    for (uint r = 0u; r < TILE_M; r++) {
                        vec4 x = imageLoad(X, base[r] + k) * mask[r];
                        for (uint n = 0u; n < TILE_N4; n++)
                            acc[r][n] += x.x * wt[0][n] + x.y * wt[1][n] + x.z * wt[2][n] + x.w * wt[3][n];
                    }
                }
        }
    }

    vec4 bias[TILE_N4];
    for (uint c = 0u; c < TILE_N4; c++)
        bias[c] = HAS_BIAS ? imageLoad(Bias, bcol[c]) : vec4(0.0);
    for (uint r = 0u; r < TILE_M; r++) {
        if (row + r >= p.rows)
            break;
        for (uint c = 0u; c < TILE_N4; c++) {
            if (col4 + c >= cout4)
                continue;
            uint at = (row + r) * cout4 + col4 + c;
            vec4 v = acc[r][c] + bias[c];
            if (HAS_RESIDUAL)
                v += imageLoad(Residual, int(p.row0 * cout4 + at));
            O[at] = RELU ? max(v, vec4(0.0)) : v;
        }
    }
}
