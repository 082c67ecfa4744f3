#version 450
// torchvision's paste_masks_in_image for the predicted class: the M x M mask logits of box r's
// label go through a sigmoid, are zero-padded to (M+2) x (M+2), the box is expanded by (M+2)/M about
// its centre and cast to integers (truncation), the padded mask is resized bilinearly
// (align_corners=False) to the integer box's w x h and copied into the image where it overlaps;
// every other pixel is 0.
// Layout: Logits (R, 1, M, M, Cp) channels-last rgba32f texel buffer; Labels (R) int32 channel;
// Boxes (R, 4) rgba32f texel buffer in output pixels; Count (1) uint32 valid rows (HAS_COUNT);
// Out: rows [first, first + rows) of (R, H, W) fp32, bound as a view (large outputs take several
// dispatches). Tile: TILE_X consecutive pixels of one image row per invocation (the box is decoded
// once per tile) on a flat 2D grid, bounds-checked at the row's end.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_COUNT = false;
layout(constant_id = 1) const uint TILE_X = 16;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Logits;
layout(binding = 1) readonly buffer Labels { int labels[]; };
layout(binding = 2, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 3) readonly buffer Count { uint count; };
layout(binding = 4) writeonly buffer Out { float O[]; };

layout(push_constant) uniform Push {
    uint first;
    uint rows;
    uint H;
    uint W;
    uint M;
    uint C4;
    float expand;
} p;

float prob(uint r, int label, int v, int u) {
    // (v, u) in the padded mask: the border is zero probability.
    if (v < 1 || u < 1 || v > int(p.M) || u > int(p.M))
        return 0.0;
    int texel = ((int(r) * int(p.M) + v - 1) * int(p.M) + u - 1) * int(p.C4) + label / 4;
    float x = imageLoad(Logits, texel)[label % 4];
    return 1.0 / (1.0 + exp(-x));
}

void main() {
    uint tiles = (p.W + TILE_X - 1u) / TILE_X;
    uint t = flat_invocation();
    if (t >= p.rows * p.H * tiles)
        return;
    uint x0 = (t % tiles) * TILE_X;
    uint y = (t / tiles) % p.H;
    uint local = t / (tiles * p.H);
    uint r = p.first + local;
    uint at = (local * p.H + y) * p.W + x0;
    uint n = min(TILE_X, p.W - x0);
    if (HAS_COUNT && r >= count) {
        for (uint i = 0u; i < TILE_X; i++)
            if (i < n)
                O[at + i] = 0.0;
        return;
    }
    vec4 b = imageLoad(Boxes, int(r));
    precise float wHalf = (b.z - b.x) * 0.5 * p.expand;
    precise float hHalf = (b.w - b.y) * 0.5 * p.expand;
    precise float cx = (b.z + b.x) * 0.5;
    precise float cy = (b.w + b.y) * 0.5;
    int bx0 = int(cx - wHalf);
    int bx1 = int(cx + wHalf);
    int by0 = int(cy - hHalf);
    int by1 = int(cy + hHalf);
    int w = max(bx1 - bx0 + 1, 1);
    int h = max(by1 - by0 + 1, 1);
    int iy = int(y);
    bool rowInside = iy >= max(by0, 0) && iy < min(by1 + 1, int(p.H));
    int xFirst = max(bx0, 0);
    int xEnd = min(bx1 + 1, int(p.W));
    int padded = int(p.M) + 2;
    float scaleX = float(padded) / float(w);
    float scaleY = float(padded) / float(h);
    float sy = max(scaleY * (float(iy - by0) + 0.5) - 0.5, 0.0);
    int v0 = int(sy);
    int v1 = v0 + (v0 < padded - 1 ? 1 : 0);
    float ly = sy - float(v0);
    int label = labels[r];
    for (uint i = 0u; i < TILE_X; i++) {
        if (i >= n)
            break;
        int ix = int(x0 + i);
        if (!rowInside || ix < xFirst || ix >= xEnd) {
            O[at + i] = 0.0;
            continue;
        }
        float sx = max(scaleX * (float(ix - bx0) + 0.5) - 0.5, 0.0);
        int u0 = int(sx);
        int u1 = u0 + (u0 < padded - 1 ? 1 : 0);
        float lx = sx - float(u0);
        float top = (1.0 - lx) * prob(r, label, v0, u0) + lx * prob(r, label, v0, u1);
        float bottom = (1.0 - lx) * prob(r, label, v1, u0) + lx * prob(r, label, v1, u1);
        O[at + i] = (1.0 - ly) * top + ly * bottom;
    }
}
