#version 450
// Convolution (1D/2D/3D, groups = 1) as an implicit GEMM, as ops/conv.comp (the same bindings, push
// constants, packed weights, bounds and epilogue; weights fp16 in the f16w build), for devices with
// fast workgroup shared memory (GPUs): a workgroup computes a BLOCK_M-pixel x (4 * BLOCK_N4)-channel
// block of the output and, per chunk of 16 values of k (k = tap * CIN + ci, the packed weight row),
// its invocations stage the block's im2col texels of X (zero outside the input) and its weight
// texels in shared memory, then each invocation accumulates its 4 pixels x 4 channels from there.
// The tuner (engine tune) offers it to every device and keeps it only where it is faster (not on
// lavapipe, where shared memory and barriers are slow).
#include "tensor5.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in; // (BLOCK_M / 4) * BLOCK_N4
layout(constant_id = 1) const uint BLOCK_M = 64;  // output pixels per workgroup, a multiple of 4
layout(constant_id = 2) const uint BLOCK_N4 = 16; // vec4 output channels per workgroup
layout(constant_id = 3) const bool HAS_BIAS = false;
layout(constant_id = 4) const bool HAS_RESIDUAL = false;
layout(constant_id = 5) const bool RELU = false;

const uint CHUNK_K = 16u;
const uint CHUNK_K4 = CHUNK_K / 4u;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
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

// X's im2col block transposed, so an invocation's 4 pixels at one k are one vec4.
shared vec4 pixelsX[CHUNK_K][BLOCK_M / 4u];
shared vec4 channelsW[CHUNK_K][BLOCK_N4];

// The X texel of output pixel `pixel` (of the whole output) at packed-weight texel row k4
// (tap * CIN/4 + ci/4), or -1 where the tap falls outside the input (padding).
int im2col_texel(uint pixel, uint k4) {
    uint cin4 = p.inDims.w;
    uint tap = k4 / cin4;
    uint ci4 = k4 % cin4;
    uvec3 kernelSize = p.kernel.xyz;
    ivec3 offset = ivec3(tap / (kernelSize.y * kernelSize.z), (tap / kernelSize.z) % kernelSize.y, tap % kernelSize.z);
    uvec4 o = pixel_coords(pixel, p.outDims.x, p.outDims.y, p.outDims.z);
    ivec3 q = ivec3(o.yzw) * p.stride.xyz - p.pad.xyz + offset * p.dilation.xyz;
    ivec3 inSize = ivec3(p.inDims.xyz);
    if (any(lessThan(q, ivec3(0))) || any(greaterThanEqual(q, inSize)))
        return -1;
    return int((((o.x * p.inDims.x + uint(q.x)) * p.inDims.y + uint(q.y)) * p.inDims.z + uint(q.z)) * cin4 + ci4);
}

void main() {
    uint cout4 = p.outDims.w;
    uint k4 = p.kernel.x * p.kernel.y * p.kernel.z * p.inDims.w;
    uint lane = gl_LocalInvocationID.x;
    uint lanes = gl_WorkGroupSize.x;
    uint blockRow = row_tile() * BLOCK_M;
    uint blockCol4 = gl_WorkGroupID.x * BLOCK_N4;
    uint colTexel = lane % BLOCK_N4;
    uint pixelGroup = lane / BLOCK_N4;

    vec4 acc[4];
    for (uint r = 0u; r < 4u; r++)
        acc[r] = vec4(0.0);

    for (uint k0 = 0u; k0 < k4; k0 += CHUNK_K4) {
        for (uint i = lane; i < BLOCK_M * CHUNK_K4; i += lanes) {
            uint m = i / CHUNK_K4;
            uint kt = i % CHUNK_K4;
            int at = k0 + kt < k4 ? im2col_texel(p.row0 + min(blockRow + m, p.rows - 1u), k0 + kt) : -1;
            vec4 v = at >= 0 ? imageLoad(X, at) : vec4(0.0);
            for (uint j = 0u; j < 4u; j++)
                pixelsX[kt * 4u + j][m / 4u][m % 4u] = v[j];
        }
        for (uint i = lane; i < CHUNK_K * BLOCK_N4; i += lanes) {
            uint kk = i / BLOCK_N4;
            uint c = i % BLOCK_N4;
            uint k = k0 * 4u + kk;
            uint col4 = min(blockCol4 + c, cout4 - 1u);
            channelsW[kk][c] = k < k4 * 4u ? imageLoad(Wt, int(k * cout4 + col4)) : vec4(0.0);
        }
        barrier();
        for (uint kk = 0u; kk < CHUNK_K; kk++) {
            vec4 x = pixelsX[kk][pixelGroup];
            vec4 w = channelsW[kk][colTexel];
            for (uint r = 0u; r < 4u; r++)
                acc[r] += x[r] * w;
        }
        barrier();
    }

    uint col4 = blockCol4 + colTexel;
    if (col4 >= cout4)
        return;
    vec4 bias = HAS_BIAS ? imageLoad(Bias, int(col4)) : vec4(0.0);
    for (uint r = 0u; r < 4u; r++) {
        uint row = blockRow + pixelGroup * 4u + r;
        if (row >= p.rows)
            break;
        uint at = row * cout4 + col4;
        vec4 v = acc[r] + bias;
        if (HAS_RESIDUAL)
            v += imageLoad(Residual, int(p.row0 * cout4 + at));
        O[at] = RELU ? max(v, vec4(0.0)) : v;
    }
}
