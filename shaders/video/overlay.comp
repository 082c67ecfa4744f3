#version 450
// Overlay pass: draws display primitives over the newest frame and writes the presented image.
// Layout: Frame is RGB24 (width x height x 3 bytes) read as r32ui words; Out is one uint per pixel,
// bytes B, G, R, A (VK_FORMAT_B8G8R8A8_UNORM order, copied straight into a swapchain image).
// Prims: `count` primitives of two uvec4 each, drawn in order:
//   p0 = (kind, x0 | y0 << 16, x1 | y1 << 16, colour R | G << 8 | B << 16 | A << 24), box [x0, x1) x [y0, y1)
//   kind 1 fill (alpha blend), 2 outline (p1.x = thickness), 3 text (p1 = first char, char count, scale:
//   6x8 cells of the 5x7 font, one line), 4 heat map and 5 mask (p1 = first value in Values, width,
//   height; nearest sample; heat maps use a blue-red ramp, masks the colour, alpha scaled by the value),
//   6 line (p1 = end points x | y << 16 as 16-bit signed pixels, thickness: the pixels whose centre
//   lies within thickness / 2 of the segment between the end pixels' centres; the box bounds it).
// Font: one r32ui word per glyph row (bit 4 = leftmost column), 8 rows per glyph from ASCII 32.
// Chars: one r32ui word per character.
// Passes: the base pass (base = 1) converts the whole frame into Out; then one dispatch per primitive
// covers only its box (origin x0, y0) and blends it over what Out holds, so the cost is the frame
// plus the covered area, not frame x primitives. Tile: one pixel per invocation, 8x8 groups,
// bounds checked against the covered rectangle and the frame.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;

layout(binding = 0, r32ui) uniform readonly uimageBuffer Frame;
layout(binding = 1, rgba32ui) uniform readonly uimageBuffer Prims;
layout(binding = 2, r32ui) uniform readonly uimageBuffer Font;
layout(binding = 3, r32ui) uniform readonly uimageBuffer Chars;
layout(binding = 4, r32f) uniform readonly imageBuffer Values;
layout(binding = 5) buffer Out { uint o[]; };

layout(push_constant) uniform Push {
    uint width;
    uint height;
    uint base;   // 1: start from the frame; 0: blend over Out
    uint first;  // primitives [first, first + count) are drawn
    uint count;
    uint x0;     // the dispatch covers [x0, x0 + w) x [y0, y0 + h)
    uint y0;
    uint w;
    uint h;
} p;

vec3 frame_rgb(uint x, uint y) {
    uint b = (y * p.width + x) * 3u;
    uint w0 = imageLoad(Frame, int(b >> 2u)).x;
    uint w1 = imageLoad(Frame, int((b >> 2u) + 1u)).x;
    uint s = (b & 3u) * 8u;
    uint v = (w0 >> s) | (s == 0u ? 0u : w1 << (32u - s));
    return vec3(float(v & 255u), float((v >> 8u) & 255u), float((v >> 16u) & 255u)) / 255.0;
}

vec4 unpack_colour(uint c) {
    return vec4(float(c & 255u), float((c >> 8u) & 255u), float((c >> 16u) & 255u), float(c >> 24u)) / 255.0;
}

vec3 ramp(float v) {
    // Blue (cold) through green and yellow to red (hot).
    return clamp(vec3(1.5 - abs(4.0 * v - 3.0), 1.5 - abs(4.0 * v - 2.0), 1.5 - abs(4.0 * v - 1.0)), 0.0, 1.0);
}

void main() {
    if (gl_GlobalInvocationID.x >= p.w || gl_GlobalInvocationID.y >= p.h)
        return;
    uint x = p.x0 + gl_GlobalInvocationID.x;
    uint y = p.y0 + gl_GlobalInvocationID.y;
    if (x >= p.width || y >= p.height)
        return;
    vec3 c;
    if (p.base != 0u) {
        c = frame_rgb(x, y);
    } else {
        uint v = o[y * p.width + x];
        c = vec3(float((v >> 16u) & 255u), float((v >> 8u) & 255u), float(v & 255u)) / 255.0;
    }
    for (uint i = p.first; i < p.first + p.count; i++) {
        uvec4 a = imageLoad(Prims, int(2u * i));
        uint x0 = a.y & 0xFFFFu, y0 = a.y >> 16u, x1 = a.z & 0xFFFFu, y1 = a.z >> 16u;
        if (x < x0 || x >= x1 || y < y0 || y >= y1)
            continue;
        uvec4 b = imageLoad(Prims, int(2u * i + 1u));
        vec4 colour = unpack_colour(a.w);
        float alpha = colour.a;
        if (a.x == 2u) {
            uint t = b.x;
            if (x >= x0 + t && x + t < x1 && y >= y0 + t && y + t < y1)
                continue;
        } else if (a.x == 3u) {
            uint lx = (x - x0) / b.z;
            uint ly = (y - y0) / b.z;
            uint index = lx / 6u;
            uint col = lx % 6u;
            if (index >= b.y || col >= 5u || ly >= 7u)
                continue;
            uint ch = imageLoad(Chars, int(b.x + index)).x;
            if (ch < 32u || ch > 126u)
                continue;
            uint row = imageLoad(Font, int((ch - 32u) * 8u + ly)).x;
            if ((row & (16u >> col)) == 0u)
                continue;
        } else if (a.x == 6u) {
            vec2 pa = vec2(bitfieldExtract(int(b.x), 0, 16), bitfieldExtract(int(b.x), 16, 16));
            vec2 pb = vec2(bitfieldExtract(int(b.y), 0, 16), bitfieldExtract(int(b.y), 16, 16));
            vec2 d = pb - pa;
            vec2 q = vec2(x, y) - pa;
            float t = dot(d, d) > 0.0 ? clamp(dot(q, d) / dot(d, d), 0.0, 1.0) : 0.0;
            if (length(q - t * d) > 0.5 * float(b.z))
                continue;
        } else if (a.x == 4u || a.x == 5u) {
            uint u = min((x - x0) * b.y / (x1 - x0), b.y - 1u);
            uint v = min((y - y0) * b.z / (y1 - y0), b.z - 1u);
            float value = clamp(imageLoad(Values, int(b.x + v * b.y + u)).x, 0.0, 1.0);
            if (a.x == 4u)
                colour.rgb = ramp(value);
            else
                alpha *= value;
        }
        c = mix(c, colour.rgb, alpha);
    }
    uvec3 q = uvec3(clamp(c, 0.0, 1.0) * 255.0 + 0.5);
    o[y * p.width + x] = q.b | (q.g << 8u) | (q.r << 16u) | (255u << 24u);
}
