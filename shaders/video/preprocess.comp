#version 450
// Frame preprocessing for a clip: resize to an integer size (for clips the short side becomes the
// package's short side; a whole-frame input is only shrunk to fit its caps; inverse scales sx, sy per
// axis, as torchvision's Resize), crop size_x x size_y at per-crop origins (a whole frame is one crop
// at 0, 0 covering it), normalise per channel, in one dispatch over all crops.
// Layout: Frame is the raw RGB24 frame (width x height x 3 bytes, row-major) read as r32ui words;
// Out is one ring slot, channels-last (crops, size_y, size_x, 4) fp32 with channel 3 = 0.
// Sampling: bilinear at the centre of each output pixel mapped back through (sx, sy) (half-pixel
// convention, edges clamped: torch's interpolate with align_corners=False, no antialias). Normalisation: x = byte * mul[c] + add[c] (mul = scale/255/std,
// add = -mean/std), channels swapped to BGR first when bgr != 0.
// Tile: one output pixel per invocation; x, y walk the crop, z the crop index; bounds checked.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;

layout(binding = 0, r32ui) uniform readonly uimageBuffer Frame;
layout(binding = 1) writeonly buffer Out { vec4 o[]; };

layout(push_constant) uniform Push {
    uint width;
    uint height;
    uint size_x;
    uint size_y;
    vec4 origin01;  // crop 0 (x, y) and crop 1 (x, y): top left in resized pixels
    vec4 origin2;   // crop 2 (x, y), inverse scales sx, sy (frame pixels per resized pixel)
    vec4 mul;
    vec4 add;
    uint bgr;
} p;

vec3 texel(int x, int y) {
    x = clamp(x, 0, int(p.width) - 1);
    y = clamp(y, 0, int(p.height) - 1);
    uint b = uint(y * int(p.width) + x) * 3u;
    uint w0 = imageLoad(Frame, int(b >> 2u)).x;
    uint w1 = imageLoad(Frame, int((b >> 2u) + 1u)).x;
    uint s = (b & 3u) * 8u;
    // Three bytes starting at byte s of w0, continuing into w1.
    uint lo = w0 >> s;
    uint hi = s == 0u ? 0u : w1 << (32u - s);
    uint v = lo | hi;
    return vec3(float(v & 255u), float((v >> 8u) & 255u), float((v >> 16u) & 255u));
}

void main() {
    uint x = gl_GlobalInvocationID.x;
    uint y = gl_GlobalInvocationID.y;
    uint crop = gl_GlobalInvocationID.z;
    if (x >= p.size_x || y >= p.size_y)
        return;
    vec2 origin = crop == 0u ? p.origin01.xy : crop == 1u ? p.origin01.zw : p.origin2.xy;
    vec2 src = (origin + vec2(x, y) + 0.5) * p.origin2.zw - 0.5;
    vec2 f = floor(src);
    vec2 t = src - f;
    int x0 = int(f.x);
    int y0 = int(f.y);
    vec3 c = mix(mix(texel(x0, y0), texel(x0 + 1, y0), t.x), mix(texel(x0, y0 + 1), texel(x0 + 1, y0 + 1), t.x), t.y);
    if (p.bgr != 0u)
        c = c.bgr;
    o[(crop * p.size_y + y) * p.size_x + x] = vec4(c * p.mul.xyz + p.add.xyz, 0.0);
}
