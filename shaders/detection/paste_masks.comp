#version 450
// torchvision's paste_masks_in_image for the predicted class: the M x M mask logits of box r's
// label go through a sigmoid, are zero-padded to (M+2) x (M+2), the box is expanded by (M+2)/M about
// its centre and cast to integers (truncation), the padded mask is resized bilinearly
// (align_corners=False) to the integer box's w x h and copied into the image where it overlaps.
// The op clears the whole output first (a transfer fill), so this kernel writes only the pixels of
// each box's integer rectangle: on lavapipe both sides of a branch execute, and only loop trip
// counts skip work, so the pixels outside the rectangle are never iterated at all.
// With DETECTRON2, detectron2's paste instead (layers/mask_ops.py:paste_masks_in_image on the CPU,
// _do_paste_mask with skip_empty and one box per chunk): the rectangle is [floor(x0) - 1, ceil(x1) + 1)
// clamped to the image, and each pixel centre + 0.5 maps to g = (p - x0) / (x1 - x0) * 2 - 1, which
// F.grid_sample (bilinear, zero padding, align_corners=False) unnormalises as (g + 1) * M / 2 - 0.5 and
// samples from the M x M sigmoid probabilities, with no padding or box expansion.
// Layout: Logits (R, 1, M, M, Cp) channels-last rgba32f texel buffer; Labels (R) int32 channel;
// Boxes (R, 4) rgba32f texel buffer in output pixels; Count (1) uint32 valid rows (HAS_COUNT);
// Out: rows [first, first + rows) of (R, H, W) fp32, bound as a view (large outputs take several
// dispatches). Grid: groupsPerBox workgroups per box on a flat 2D grid; the box's invocations stride
// over its rectangle in tiles of TILE_X consecutive pixels of one image row (the row's
// interpolation is set up once per tile), bounds-checked at the rectangle's right edge.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_COUNT = false;
layout(constant_id = 1) const uint TILE_X = 8;
layout(constant_id = 2) const bool DETECTRON2 = false;

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
    uint groupsPerBox;
} p;

// Probability at (v, u) of the padded mask, whose one-pixel border is zero.
float prob(int rowTexel, int component, int v, int u) {
    bool inside = v >= 1 && u >= 1 && v <= int(p.M) && u <= int(p.M);
    int texel = rowTexel + ((clamp(v, 1, int(p.M)) - 1) * int(p.M) + clamp(u, 1, int(p.M)) - 1) * int(p.C4);
    float x = imageLoad(Logits, texel)[component];
    return inside ? 1.0 / (1.0 + exp(-x)) : 0.0;
}

// The sigmoid probability at mask pixel (v, u), zero outside the M x M mask (grid_sample's zero padding).
float maskProb(int rowTexel, int component, int v, int u) {
    bool inside = v >= 0 && u >= 0 && v < int(p.M) && u < int(p.M);
    int texel = rowTexel + (clamp(v, 0, int(p.M) - 1) * int(p.M) + clamp(u, 0, int(p.M) - 1)) * int(p.C4);
    float x = imageLoad(Logits, texel)[component];
    return inside ? 1.0 / (1.0 + exp(-x)) : 0.0;
}

// detectron2's paste of box r (see the header); the caller has checked the row.
void pasteDetectron2(uint local, uint r, uint group) {
    vec4 b = imageLoad(Boxes, int(r));
    int xFirst = int(max(floor(b.x) - 1.0, 0.0));
    int yFirst = int(max(floor(b.y) - 1.0, 0.0));
    int xEnd = int(min(ceil(b.z) + 1.0, float(p.W)));
    int yEnd = int(min(ceil(b.w) + 1.0, float(p.H)));
    int tilesPerRow = xEnd > xFirst ? (xEnd - xFirst + int(TILE_X) - 1) / int(TILE_X) : 0;
    int items = yEnd > yFirst ? tilesPerRow * (yEnd - yFirst) : 0;
    float halfM = float(p.M) * 0.5;
    int label = labels[r];
    int rowTexel = int(r) * int(p.M * p.M * p.C4) + label / 4;
    int component = label % 4;
    uint plane = local * p.H * p.W;
    int stride = int(p.groupsPerBox * gl_WorkGroupSize.x);
    for (int item = int((group % p.groupsPerBox) * gl_WorkGroupSize.x + gl_LocalInvocationID.x); item < items; item += stride) {
        int iy = yFirst + item / tilesPerRow;
        int x0 = xFirst + (item % tilesPerRow) * int(TILE_X);
        precise float gy = (float(iy) + 0.5 - b.y) / (b.w - b.y) * 2.0 - 1.0;
        precise float sy = (gy + 1.0) * halfM - 0.5;
        float fy = floor(sy);
        int v0 = int(fy);
        float n = sy - fy;
        uint at = plane + uint(iy) * p.W;
        for (int i = 0; i < int(TILE_X); i++) {
            int ix = x0 + i;
            if (ix < xEnd) {
                precise float gx = (float(ix) + 0.5 - b.x) / (b.z - b.x) * 2.0 - 1.0;
                precise float sx = (gx + 1.0) * halfM - 0.5;
                float fx = floor(sx);
                int u0 = int(fx);
                float w = sx - fx;
                precise float value = (1.0 - n) * (1.0 - w) * maskProb(rowTexel, component, v0, u0) + (1.0 - n) * w * maskProb(rowTexel, component, v0, u0 + 1)
                    + n * (1.0 - w) * maskProb(rowTexel, component, v0 + 1, u0) + n * w * maskProb(rowTexel, component, v0 + 1, u0 + 1);
                O[at + uint(ix)] = value;
            }
        }
    }
}

void main() {
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint local = group / p.groupsPerBox;
    if (local >= p.rows)
        return;
    uint r = p.first + local;
    if (HAS_COUNT && r >= count)
        return;
    if (DETECTRON2) {
        pasteDetectron2(local, r, group);
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
    int xFirst = max(bx0, 0);
    int xEnd = min(bx1 + 1, int(p.W));
    int yFirst = max(by0, 0);
    int yEnd = min(by1 + 1, int(p.H));
    int tilesPerRow = xEnd > xFirst ? (xEnd - xFirst + int(TILE_X) - 1) / int(TILE_X) : 0;
    int items = yEnd > yFirst ? tilesPerRow * (yEnd - yFirst) : 0;

    int padded = int(p.M) + 2;
    float scaleX = float(padded) / float(w);
    float scaleY = float(padded) / float(h);
    int label = labels[r];
    int rowTexel = int(r) * int(p.M * p.M * p.C4) + label / 4;
    int component = label % 4;
    uint plane = local * p.H * p.W;
    int stride = int(p.groupsPerBox * gl_WorkGroupSize.x);
    for (int item = int((group % p.groupsPerBox) * gl_WorkGroupSize.x + gl_LocalInvocationID.x); item < items; item += stride) {
        int iy = yFirst + item / tilesPerRow;
        int x0 = xFirst + (item % tilesPerRow) * int(TILE_X);
        float sy = max(scaleY * (float(iy - by0) + 0.5) - 0.5, 0.0);
        int v0 = int(sy);
        int v1 = v0 + (v0 < padded - 1 ? 1 : 0);
        float ly = sy - float(v0);
        uint at = plane + uint(iy) * p.W;
        for (int i = 0; i < int(TILE_X); i++) {
            int ix = x0 + i;
            if (ix < xEnd) {
                float sx = max(scaleX * (float(ix - bx0) + 0.5) - 0.5, 0.0);
                int u0 = int(sx);
                int u1 = u0 + (u0 < padded - 1 ? 1 : 0);
                float lx = sx - float(u0);
                float top = (1.0 - lx) * prob(rowTexel, component, v0, u0) + lx * prob(rowTexel, component, v0, u1);
                float bottom = (1.0 - lx) * prob(rowTexel, component, v1, u0) + lx * prob(rowTexel, component, v1, u1);
                O[at + uint(ix)] = (1.0 - ly) * top + ly * bottom;
            }
        }
    }
}
