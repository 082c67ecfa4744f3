#version 450
// Box decoding as torchvision's BoxCoder.decode_single, with optional clipping to the image
// (clip_boxes_to_image): from reference boxes (x1, y1, x2, y2) and deltas (dx, dy, dw, dh) / weights,
// dw and dh clamped above at log(1000/16). Class-specific deltas give K boxes per reference box.
// Layout: Boxes (R, 4) and Deltas (R, 4K) rgba32f texel buffers; Indices (rows) int32 selects the
// reference row of each output row when HAS_INDICES (else output row j decodes row j); Count (1)
// uint32 bounds the valid output rows when HAS_COUNT; Out (rows, K, 4) fp32. Rows past the count are
// written as zeros. Tile: one (row, class) box per invocation on a flat 2D grid, bounds-checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_INDICES = false;
layout(constant_id = 1) const bool HAS_COUNT = false;
layout(constant_id = 2) const bool CLIP = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Deltas;
layout(binding = 2) readonly buffer Indices { int indices[]; };
layout(binding = 3) readonly buffer Count { uint count; };
layout(binding = 4) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint K;
    vec4 weights;
    float clipW;
    float clipH;
    float maxLog;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.K)
        return;
    uint row = i / p.K;
    uint k = i % p.K;
    if (HAS_COUNT && row >= count) {
        O[i] = vec4(0.0);
        return;
    }
    int src = HAS_INDICES ? indices[row] : int(row);
    vec4 b = imageLoad(Boxes, src);
    vec4 d = imageLoad(Deltas, src * int(p.K) + int(k));
    precise float w = b.z - b.x;
    precise float h = b.w - b.y;
    precise float cx = b.x + 0.5 * w;
    precise float cy = b.y + 0.5 * h;
    precise float dx = d.x / p.weights.x;
    precise float dy = d.y / p.weights.y;
    float dw = min(d.z / p.weights.z, p.maxLog);
    float dh = min(d.w / p.weights.w, p.maxLog);
    precise float pcx = dx * w + cx;
    precise float pcy = dy * h + cy;
    precise float hw = 0.5 * (exp(dw) * w);
    precise float hh = 0.5 * (exp(dh) * h);
    vec4 o = vec4(pcx - hw, pcy - hh, pcx + hw, pcy + hh);
    if (CLIP)
        o = clamp(o, vec4(0.0), vec4(p.clipW, p.clipH, p.clipW, p.clipH));
    O[i] = o;
}
