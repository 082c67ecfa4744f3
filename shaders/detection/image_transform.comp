#version 450
// A detector's input transform (torchvision's GeneralizedRCNNTransform, one image): normalise each
// source pixel, x = (v * scale - mean[c]) / std[c] (channels swapped to BGR first when bgr != 0), then
// resize bilinear with align_corners=False to (h, w) (src = max((dst + 0.5) * in/out - 0.5, 0), the
// next pixel clamped to the edge), then zero-pad bottom and right to (Hp, Wp).
// Layout: Image an r32f texel buffer of the planar (3, H, W) image, or with CHANNELS_LAST of the
// channels-last (1, 1, H, W, 4) frame the live host delivers; Out a vec4 SSBO of the channels-last
// (1, 1, Hp, Wp, 4) network input, channel 3 zero.
// Tile: one output pixel per invocation, flat over the padded image; bounds checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool CHANNELS_LAST = false;

layout(binding = 0, r32f) uniform readonly imageBuffer Image;
layout(binding = 1) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uvec4 dims;   // H, W (source), h, w (resized)
    uvec4 padded; // Hp, Wp, bgr, -
    vec4 mean;
    vec4 std;
    vec4 scale;   // value scale, in/out scale of H and W, -
} p;

vec3 pixel(uint y, uint x) {
    uint i = y * p.dims.y + x;
    uint stride = CHANNELS_LAST ? 1u : p.dims.x * p.dims.y;
    uint first = CHANNELS_LAST ? 4u * i : i;
    vec3 v = vec3(imageLoad(Image, int(first)).x, imageLoad(Image, int(first + stride)).x, imageLoad(Image, int(first + 2u * stride)).x);
    if (p.padded.z != 0u)
        v = v.bgr;
    return (v * p.scale.x - p.mean.xyz) / p.std.xyz;
}

void main() {
    uint index = flat_invocation();
    if (index >= p.padded.x * p.padded.y)
        return;
    uint oy = index / p.padded.y;
    uint ox = index % p.padded.y;
    if (oy >= p.dims.z || ox >= p.dims.w) {
        O[index] = vec4(0.0);
        return;
    }
    vec2 src = max((vec2(oy, ox) + 0.5) * p.scale.yz - 0.5, vec2(0.0));
    uvec2 i0 = min(uvec2(src), p.dims.xy - 1u);
    uvec2 i1 = min(i0 + 1u, p.dims.xy - 1u);
    vec2 l = src - vec2(i0);
    vec3 y = (1.0 - l.x) * ((1.0 - l.y) * pixel(i0.x, i0.y) + l.y * pixel(i0.x, i1.y))
           + l.x * ((1.0 - l.y) * pixel(i1.x, i0.y) + l.y * pixel(i1.x, i1.y));
    O[index] = vec4(y, 0.0);
}
