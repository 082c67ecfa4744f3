#version 450
// Max or average pooling over (T, H, W) of channels-last activations, as PyTorch's MaxPool3d /
// AvgPool3d (2D with a unit T kernel; global average pooling is a kernel of the whole input).
// Layout: X (N, T, H, W, C4 texels) and Out (N, To, Ho, Wo, C4 texels), fp32; X is an rgba32f texel
// buffer, Out a vec4 SSBO. Output sizes (floor or ceil mode) are computed on the host.
// AVG: the divisor is the window clipped to the padded input (COUNT_PAD, count_include_pad=True) or
// to the input itself; max ignores padding (padding acts as -inf).
// Tile: one output pixel x 4 channels per invocation; x walks channel texels, y (overflowing into z)
// pixels. Bounds: window taps outside the input are skipped; stores are bounds-checked.
// Chunking: Out is bound at output pixel `row0` and holds `pixels` pixels, so an output larger than
// one storage-buffer range is written by several dispatches.
#include "tensor5.glsl"

layout(local_size_x = 8, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool AVG = false;
layout(constant_id = 1) const bool COUNT_PAD = true;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;  // T, H, W, C/4
    uvec4 outDims; // To, Ho, Wo, -
    ivec4 kernel;  // kt, kh, kw, -
    ivec4 stride;  // st, sh, sw, -
    ivec4 pad;     // pt, ph, pw, -
    uint row0;     // first output pixel of this chunk
    uint pixels;   // output pixels in this chunk
} p;

void main() {
    uint c4 = gl_GlobalInvocationID.x;
    uint row = row_tile();
    if (c4 >= p.inDims.w || row >= p.pixels)
        return;
    uvec4 o = pixel_coords(p.row0 + row, p.outDims.x, p.outDims.y, p.outDims.z);
    ivec3 inSize = ivec3(p.inDims.xyz);
    ivec3 start = ivec3(o.yzw) * p.stride.xyz - p.pad.xyz;
    ivec3 end = min(start + p.kernel.xyz, inSize + p.pad.xyz);
    int padded = (end.x - start.x) * (end.y - start.y) * (end.z - start.z);
    ivec3 lo = max(start, ivec3(0));
    ivec3 hi = min(end, inSize);
    // A plain branch, not a select on the specialization constant: such a select gave wrong results on lavapipe.
    vec4 acc = vec4(0.0);
    if (!AVG)
        acc = vec4(-3.402823466e38);
    for (int t = lo.x; t < hi.x; t++)
    for (int h = lo.y; h < hi.y; h++)
    for (int w = lo.z; w < hi.z; w++) {
        vec4 x = imageLoad(X, int(((o.x * p.inDims.x + uint(t)) * p.inDims.y + uint(h)) * p.inDims.z + uint(w)) * int(p.inDims.w) + int(c4));
        if (AVG)
            acc += x;
        else
            acc = max(acc, x);
    }
    if (AVG) {
        ivec3 span = max(hi - lo, ivec3(0));
        int count = COUNT_PAD ? padded : span.x * span.y * span.z;
        acc /= float(max(count, 1));
    }
    O[row * p.inDims.w + c4] = acc;
}
