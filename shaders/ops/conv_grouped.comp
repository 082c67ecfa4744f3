#version 450
// Grouped convolution (groups > 1, including depthwise), channels-last: the general form of
// ops/conv.comp for groups whose channel counts need not be multiples of 4.
//   Out[m, co] = act(sum_{tap, ci < CG} X[pixel(m) + tap, g(co) * CG + ci] * Wt[tap * CG + ci, co] + ...)
// with g(co) = co / COG (COG output channels per group). X (N, T, H, W, CIN4*4) and Out/R
// (N, To, Ho, Wo, COUT4*4) are fp32 channels-last; Wt is (kt*kh*kw*CG, COUT4*4), padded output
// channels have zero weights. X, Wt, bias and R are rgba32f texel buffers; Out is a vec4 SSBO.
// Tile: one output pixel x 4 output channels per invocation; each of the 4 lanes of the vec4 may
// belong to a different group, so input channels are gathered per component.
// Bounds: taps outside the volume are skipped; stores are bounds-checked. Out is bound at pixel
// `row0` of a chunk of `rows` pixels, as in ops/conv.comp.
#include "tensor5.glsl"

layout(local_size_x = 8, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_BIAS = false;
layout(constant_id = 1) const bool HAS_RESIDUAL = false;
layout(constant_id = 2) const bool RELU = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Wt;
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
    uvec4 groups;   // CG (input channels per group), COG (output channels per group), COUT (real), -
    uint row0;
    uint rows;
} p;

void main() {
    uint cout4 = p.outDims.w;
    uint col4 = gl_GlobalInvocationID.x;
    uint row = row_tile();
    if (col4 >= cout4 || row >= p.rows)
        return;
    uvec4 o = pixel_coords(p.row0 + row, p.outDims.x, p.outDims.y, p.outDims.z);
    ivec3 origin = ivec3(o.yzw) * p.stride.xyz - p.pad.xyz;
    ivec3 inSize = ivec3(p.inDims.xyz);
    uvec4 co = min(uvec4(col4 * 4u) + uvec4(0u, 1u, 2u, 3u), uvec4(p.groups.z - 1u));
    uvec4 firstChannel = (co / p.groups.y) * p.groups.x;

    vec4 acc = vec4(0.0);
    int tap = 0;
    for (uint a = 0u; a < p.kernel.x; a++)
    for (uint b = 0u; b < p.kernel.y; b++)
    for (uint c = 0u; c < p.kernel.z; c++, tap++) {
        ivec3 q = origin + ivec3(a, b, c) * p.dilation.xyz;
        if (any(lessThan(q, ivec3(0))) || any(greaterThanEqual(q, inSize)))
            continue;
        int base = int((((o.x * p.inDims.x + uint(q.x)) * p.inDims.y + uint(q.y)) * p.inDims.z + uint(q.z)) * p.inDims.w);
        for (uint ci = 0u; ci < p.groups.x; ci++) {
            uvec4 ch = firstChannel + ci;
            vec4 x = vec4(imageLoad(X, base + int(ch.x >> 2u))[ch.x & 3u],
                          imageLoad(X, base + int(ch.y >> 2u))[ch.y & 3u],
                          imageLoad(X, base + int(ch.z >> 2u))[ch.z & 3u],
                          imageLoad(X, base + int(ch.w >> 2u))[ch.w & 3u]);
            acc += x * imageLoad(Wt, int((uint(tap) * p.groups.x + ci) * cout4 + col4));
        }
    }
    uint at = row * cout4 + col4;
    vec4 v = acc;
    if (HAS_BIAS)
        v += imageLoad(Bias, int(col4));
    if (HAS_RESIDUAL)
        v += imageLoad(Residual, int(p.row0 * cout4 + at));
    O[at] = RELU ? max(v, vec4(0.0)) : v;
}
