#version 450
// The gather half of a transposed 2D convolution (engine/Engine.Core/Ops/ConvTranspose.cs): the GEMM
// before it wrote, for every input pixel, its contribution to each kernel tap, and this kernel sums
// for every output pixel the taps that land on it, adds the bias and applies the ReLU.
// Layout: Cols an rgba32f texel buffer of (N * H * W rows, KH * KW * C4 texels), column (ky * KW + kx)
// * C4 + c4; Bias an rgba32f texel buffer of C4 texels; Out a vec4 SSBO, rows [row0, row0 + rows) of
// the channels-last output (N, 1, Ho, Wo, C4). Output (oy, ox) gets tap (ky, kx) of input (iy, ix)
// when oy + pad_h - ky = iy * stride_h (and the same in x), PyTorch's ConvTranspose2d with dilation 1.
// Tile: one output texel per invocation; x walks channel texels, y (overflowing into z) output pixels.
// Bounds: output edges checked; taps outside the input are skipped.
#include "tensor5.glsl"

layout(local_size_x = 8, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool RELU = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Cols;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Bias;
layout(binding = 2) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;  // H, W, -, C4
    uvec4 outDims; // Ho, Wo, -, -
    uvec4 kernel;  // KH, KW, stride h, stride w
    uvec4 pad;     // pad h, pad w, -, -
    uint row0;
    uint rows;
} p;

void main() {
    uint c4 = gl_GlobalInvocationID.x;
    uint local = row_tile();
    uint C4 = p.inDims.w;
    if (c4 >= C4 || local >= p.rows)
        return;
    uint pixel = p.row0 + local;
    uvec4 o = pixel_coords(pixel, 1u, p.outDims.x, p.outDims.y);
    uint taps = p.kernel.x * p.kernel.y;
    vec4 acc = imageLoad(Bias, int(c4));
    for (uint ky = 0u; ky < p.kernel.x; ky++) {
        int ty = int(o.z + p.pad.x) - int(ky);
        if (ty < 0 || ty % int(p.kernel.z) != 0)
            continue;
        uint iy = uint(ty) / p.kernel.z;
        if (iy >= p.inDims.x)
            continue;
        for (uint kx = 0u; kx < p.kernel.y; kx++) {
            int tx = int(o.w + p.pad.y) - int(kx);
            if (tx < 0 || tx % int(p.kernel.w) != 0)
                continue;
            uint ix = uint(tx) / p.kernel.w;
            if (ix >= p.inDims.y)
                continue;
            uint row = (o.x * p.inDims.x + iy) * p.inDims.y + ix;
            acc += imageLoad(Cols, int((row * taps + ky * p.kernel.y + kx) * C4 + c4));
        }
    }
    if (RELU)
        acc = max(acc, vec4(0.0));
    O[local * C4 + c4] = acc;
}
