#version 450
// Spatial resize of channels-last activations (N, T, H, W, C4 texels) to (N, T, Ho, Wo, C4), as
// PyTorch's F.interpolate on the H and W axes: NEAREST src = min(floor(dst * scale), in - 1);
// bilinear with ALIGN_CORNERS src = dst * scale, else src = max((dst + 0.5) * scale - 0.5, 0),
// interpolating between floor(src) and the next pixel clamped to the edge. The scales (in/out,
// or (in-1)/(out-1) for align_corners) come from the host in fp32 as PyTorch computes them.
// Layout: X an rgba32f texel buffer, Out a vec4 SSBO. Tile: one output texel per invocation; x walks
// channel texels, y (overflowing into z) output pixels. Bounds: source indices are clamped.
#include "tensor5.glsl"

layout(local_size_x = 8, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool NEAREST = true;
layout(constant_id = 1) const bool ALIGN_CORNERS = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;  // T, H, W, C/4
    uvec4 outDims; // T, Ho, Wo, -
    vec2 scale;    // H, W
    uint pixels;   // N * T * Ho * Wo
} p;

vec4 texel(uint n, uint t, uint h, uint w, uint c4) {
    return imageLoad(X, int((((n * p.inDims.x + t) * p.inDims.y + h) * p.inDims.z + w) * p.inDims.w + c4));
}

void main() {
    uint c4 = gl_GlobalInvocationID.x;
    uint pixel = row_tile();
    if (c4 >= p.inDims.w || pixel >= p.pixels)
        return;
    uvec4 o = pixel_coords(pixel, p.outDims.x, p.outDims.y, p.outDims.z);
    vec4 y;
    if (NEAREST) {
        uint h = min(uint(floor(float(o.z) * p.scale.x)), p.inDims.y - 1u);
        uint w = min(uint(floor(float(o.w) * p.scale.y)), p.inDims.z - 1u);
        y = texel(o.x, o.y, h, w, c4);
    } else {
        vec2 src = vec2(o.zw) * p.scale;
        if (!ALIGN_CORNERS)
            src = max((vec2(o.zw) + 0.5) * p.scale - 0.5, vec2(0.0));
        uvec2 i0 = min(uvec2(src), p.inDims.yz - 1u);
        uvec2 i1 = min(i0 + 1u, p.inDims.yz - 1u);
        vec2 l = src - vec2(i0);
        y = (1.0 - l.x) * ((1.0 - l.y) * texel(o.x, o.y, i0.x, i0.y, c4) + l.y * texel(o.x, o.y, i0.x, i1.y, c4))
          + l.x * ((1.0 - l.y) * texel(o.x, o.y, i1.x, i0.y, c4) + l.y * texel(o.x, o.y, i1.x, i1.y, c4));
    }
    O[pixel * p.inDims.w + c4] = y;
}
