#version 450
// torchvision 0.14's heatmaps_to_keypoints (roi_heads.py) for one box r and keypoint k per workgroup:
// the box's width and height clamped at 1 and rounded up (wc, hc), the M x M heatmap resized to
// hc x wc as F.interpolate(mode="bicubic", align_corners=False) does on the CPU (UpSampleKernel.cpp,
// HelperInterpCubic: source index scale * (dst + 0.5) - 0.5 with scale = M / size, A = -0.75, taps
// clamped to the map, each row's four taps summed in x order, then the rows in y order), its first
// maximum in row-major order, and the keypoint (x + 0.5) * (w / wc) + x1, (y + 0.5) * (h / hc) + y1
// with the maximum as its score; x and y are then scaled by `ratio` (torchvision's resize_keypoints
// back to input pixels, ratios input / resized in fp32).
// Layout: Heatmaps (R, 1, M, M, Cp) channels-last rgba32f texel buffer; Boxes (R, 4) rgba32f texel
// buffer in resized-image pixels; Count (1) uint32 valid rows (HAS_COUNT); Out (R, K, 3) fp32
// [x, y, score], zeros for rows at or past the count. Grid: one workgroup per (r, k) on a flat 2D
// grid; taps are read from the texel buffer directly (lavapipe gathers texel loads vectorised but
// turns data-addressed shared-memory loads into scalar loops); each invocation walks the columns
// local, local + 64, ... of every row (row coefficients set up once per row), so it visits its
// pixels in increasing order and keeps its first maximum; the workgroup then reduces (value, index) with the lower index first
// on equal values. Bounds: the loops stop at the resized map's edges; taps are clamped.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const bool HAS_COUNT = false;
layout(constant_id = 1) const uint M = 56;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Heatmaps;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 2) readonly buffer Count { uint count; };
layout(binding = 3) writeonly buffer Out { float O[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint K;
    uint C4;
    float ratioX;
    float ratioY;
} p;

shared float bestValue[64];
shared uint bestIndex[64];

// UpSample.h's cubic_convolution1 and cubic_convolution2 with A = -0.75.
float cubic1(precise float x) {
    precise float y = ((1.25 * x - 2.25) * x) * x + 1.0;
    return y;
}

float cubic2(precise float x) {
    precise float y = ((-0.75 * x + 3.75) * x - 6.0) * x + 3.0;
    return y;
}

// Tap indices (clamped) and weights of output index i of a resize from M to `size`.
void taps(uint i, float scale, out ivec4 index, out vec4 weight) {
    precise float real = scale * (float(i) + 0.5) - 0.5;
    float start = floor(real);
    precise float t = real - start;
    weight = vec4(cubic2(t + 1.0), cubic1(t), cubic1(1.0 - t), cubic2((1.0 - t) + 1.0));
    index = clamp(ivec4(int(start) - 1) + ivec4(0, 1, 2, 3), ivec4(0), ivec4(int(M) - 1));
}

void main() {
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint r = group / p.K;
    uint k = group - r * p.K;
    uint local = gl_LocalInvocationID.x;
    if (r >= p.rows)
        return;
    uint o = (r * p.K + k) * 3u;
    if (HAS_COUNT && r >= count) {
        if (local < 3u)
            O[o + local] = 0.0;
        return;
    }
    int base = int(r * M * M * p.C4 + k / 4u);
    uint component = k % 4u;
    vec4 b = imageLoad(Boxes, int(r));
    precise float w = max(b.z - b.x, 1.0);
    precise float h = max(b.w - b.y, 1.0);
    uint wc = uint(ceil(w));
    uint hc = uint(ceil(h));
    precise float scaleX = float(M) / float(wc);
    precise float scaleY = float(M) / float(hc);

    float best = uintBitsToFloat(0xff800000u); // -infinity
    uint bestAt = 0xffffffffu;
    for (uint y = 0u; y < hc; y++) {
        ivec4 iy;
        vec4 wy;
        taps(y, scaleY, iy, wy);
        for (uint x = local; x < wc; x += 64u) {
            ivec4 ix;
            vec4 wx;
            taps(x, scaleX, ix, wx);
            precise float value = 0.0;
            for (int j = 0; j < 4; j++) {
                int row = base + iy[j] * int(M * p.C4);
                ivec4 at = row + ix * int(p.C4);
                precise float t = imageLoad(Heatmaps, at.x)[component] * wx.x;
                t += imageLoad(Heatmaps, at.y)[component] * wx.y;
                t += imageLoad(Heatmaps, at.z)[component] * wx.z;
                t += imageLoad(Heatmaps, at.w)[component] * wx.w;
                value = j == 0 ? t * wy[j] : value + t * wy[j];
            }
            if (value > best) {
                best = value;
                bestAt = y * wc + x;
            }
        }
    }
    bestValue[local] = best;
    bestIndex[local] = bestAt;
    barrier();
    for (uint half_ = 32u; half_ > 0u; half_ >>= 1u) {
        if (local < half_) {
            float v = bestValue[local + half_];
            uint at = bestIndex[local + half_];
            if (v > bestValue[local] || (v == bestValue[local] && at < bestIndex[local])) {
                bestValue[local] = v;
                bestIndex[local] = at;
            }
        }
        barrier();
    }
    if (local == 0u) {
        uint at = bestIndex[0];
        uint yi = at / wc;
        uint xi = at - yi * wc;
        precise float cx = w / float(wc);
        precise float cy = h / float(hc);
        precise float kx = (float(xi) + 0.5) * cx + b.x;
        precise float ky = (float(yi) + 0.5) * cy + b.y;
        O[o] = kx * p.ratioX;
        O[o + 1u] = ky * p.ratioY;
        O[o + 2u] = bestValue[0];
    }
}
