#version 450
// Max or average pooling over (T, H, W) of channels-last activations, as PyTorch's MaxPool3d /
// AvgPool3d (2D with a unit T kernel; global average pooling is a kernel of the whole input).
// Layout: X (N, T, H, W, C4 texels) and Out (N, To, Ho, Wo, C4 texels), fp32; X is an rgba32f texel
// buffer, Out a vec4 SSBO. Output sizes (floor or ceil mode) are computed on the host.
// AVG: the divisor is the window clipped to the padded input (COUNT_PAD, count_include_pad=True) or
// to the input itself; max ignores padding (padding acts as -inf).
// Tile: one output pixel x 4 channels per invocation; x walks (output column, channel texel) of one
// output line (n, t, h), 64 wide; the line is row_tile() (y overflowing into z). Both are split with
// divmod_small: the host keeps lines and Wo * C/4 below DIVMOD_SMALL_LIMIT. Bounds: window taps
// outside the input are skipped; x is checked against the line's texels.
// Chunking: Out is bound at output line `line0` and holds `lines` lines, so an output larger than
// one storage-buffer range is written by several dispatches.
#include "index.glsl"
#include "tensor5.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
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
    uint line0;    // first output line of this chunk
    uint lines;    // output lines in this chunk
} p;

void main() {
    uint x = gl_GlobalInvocationID.x;
    uint line = row_tile();
    uint c4s = p.inDims.w;
    if (x >= p.outDims.z * c4s || line >= p.lines)
        return;
    uvec2 wc = divmod_small(x, c4s);
    uvec2 nth = divmod_small(p.line0 + line, p.outDims.y);
    uvec2 nt = divmod_small(nth.x, p.outDims.x);
    uvec4 o = uvec4(nt, nth.y, wc.x);
    uint c4 = wc.y;
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
    O[line * p.outDims.z * c4s + x] = acc;
}
