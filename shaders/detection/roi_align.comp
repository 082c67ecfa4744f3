#version 450
// RoIAlign over channels-last feature maps as torchvision.ops.roi_align computes it (bilinear
// samples averaged per bin; aligned shifts by half a pixel; sampling ratio 0 = adaptive
// ceil(roi / bin)), over up to 5 FPN levels with MultiScaleRoIAlign's level mapping:
// floor(canonicalLevel + log2(sqrt(area) / canonicalSize) + eps) (detectron2: eps inside the log),
// clamped to the given levels. With one level the mapping is skipped.
// One dispatch covers every level. Each level has its own binding F0..F4 and its own copy of the
// channel loop whose trip count is zero unless the box maps to that level: on lavapipe a load that
// picks among buffers at run time is slow, an if does not skip work (both sides run masked) and a
// loop appears to run its body once even when no lane enters it (so a dispatch per level with an
// early return costs more than one level holding every box), so each other level costs one masked
// texel, not a quarter of a bin's samples (docs/bench-log.md, 2026-11-21 and 2026-11-22).
// With a fixed sampling ratio of at most MAX_FIXED (FIXED > 0) the bin's sample offsets and
// weights are computed once per invocation and reused for every channel texel; otherwise the
// samples are recomputed per texel.
// Layout: F0..F4 (1, 1, H_l, W_l, C4 texels) rgba32f texel buffers (levels past LEVELS unread);
// Boxes (R, 4) rgba32f texel buffer in image pixels; Count (1) uint32 valid boxes (HAS_COUNT);
// Out (R, 1, oh, ow, C4 texels) vec4, rows past the count zero.
// Tile: one output bin x TILE_C4 texels (4 * TILE_C4 channels) per invocation on a flat 2D grid;
// the channel tile is bounds-checked at C4.
#include "index.glsl"

#define MAX_FIXED 4

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint LEVELS = 1;
layout(constant_id = 1) const bool ALIGNED = false;
layout(constant_id = 2) const bool HAS_COUNT = false;
layout(constant_id = 3) const bool EPS_IN_LOG = false;
layout(constant_id = 4) const uint TILE_C4 = 64;
layout(constant_id = 5) const uint FIXED = 2;

layout(binding = 0, rgba32f) uniform readonly imageBuffer F0;
layout(binding = 1, rgba32f) uniform readonly imageBuffer F1;
layout(binding = 2, rgba32f) uniform readonly imageBuffer F2;
layout(binding = 3, rgba32f) uniform readonly imageBuffer F3;
layout(binding = 4, rgba32f) uniform readonly imageBuffer F4;
layout(binding = 5, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 6) readonly buffer Count { uint count; };
layout(binding = 7) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uint R;
    uint oh;
    uint ow;
    uint C4;
    int sampling;
    float firstLevel;
    float canonicalLevel;
    float canonicalSize;
    float eps;
    uint H0, H1, H2, H3, H4;
    uint W0, W1, W2, W3, W4;
    float scale0, scale1, scale2, scale3, scale4;
} p;

// Level l's entry of five per-level values.
float perLevel(int l, float a, float b, float c, float d, float e) {
    return l == 0 ? a : l == 1 ? b : l == 2 ? c : l == 3 ? d : e;
}

// Bilinear corner offsets (texels, before the channel) and weights of one sample, torchvision's
// bilinear_interpolate: a sample outside [-1, size] contributes nothing (weights zero).
void corners(float y, float x, float height, float width, int rowTexels, out ivec4 at, out vec4 weight) {
    bool outside = y < -1.0 || y > height || x < -1.0 || x > width;
    float yy = max(y, 0.0);
    float xx = max(x, 0.0);
    int yl = int(yy);
    int xl = int(xx);
    int yh, xh;
    if (yl >= int(height) - 1) {
        yh = yl = int(height) - 1;
        yy = float(yl);
    } else {
        yh = yl + 1;
    }
    if (xl >= int(width) - 1) {
        xh = xl = int(width) - 1;
        xx = float(xl);
    } else {
        xh = xl + 1;
    }
    precise float ly = yy - float(yl);
    precise float lx = xx - float(xl);
    precise float hy = 1.0 - ly;
    precise float hx = 1.0 - lx;
    precise vec4 w = vec4(hy * hx, hy * lx, ly * hx, ly * lx);
    int c4 = int(p.C4);
    at = outside ? ivec4(0) : ivec4(yl * rowTexels + xl * c4, yl * rowTexels + xh * c4, yh * rowTexels + xl * c4, yh * rowTexels + xh * c4);
    weight = outside ? vec4(0.0) : w;
}

// One level's copy of the channel loop: n texels from c0, each the mean of its bin's samples.
#define POOL_LEVEL(L, F)                                                                              \
    if (LEVELS > L) {                                                                                 \
        int n = level == L ? cmax : 0;                                                                \
        for (int c = 0; c < n; c++) {                                                                 \
            int ci = int(c0) + c;                                                                     \
            precise vec4 acc = vec4(0.0);                                                             \
            if (FIXED > 0u) {                                                                         \
                for (uint s = 0u; s < FIXED * FIXED; s++) {                                           \
                    precise vec4 v = fw[s].x * imageLoad(F, fa[s].x + ci) + fw[s].y * imageLoad(F, fa[s].y + ci) \
                        + fw[s].z * imageLoad(F, fa[s].z + ci) + fw[s].w * imageLoad(F, fa[s].w + ci);   \
                    acc += v;                                                                         \
                }                                                                                     \
            } else {                                                                                  \
                for (int iy = 0; iy < gridH; iy++) {                                                  \
                    precise float y = startH + float(ph) * binH + (float(iy) + 0.5) * binH / float(gridH); \
                    for (int ix = 0; ix < gridW; ix++) {                                              \
                        precise float x = startW + float(pw) * binW + (float(ix) + 0.5) * binW / float(gridW); \
                        ivec4 a;                                                                      \
                        vec4 w;                                                                       \
                        corners(y, x, height, width, rowTexels, a, w);                                \
                        precise vec4 v = w.x * imageLoad(F, a.x + ci) + w.y * imageLoad(F, a.y + ci)  \
                            + w.z * imageLoad(F, a.z + ci) + w.w * imageLoad(F, a.w + ci);            \
                        acc += v;                                                                     \
                    }                                                                                 \
                }                                                                                     \
            }                                                                                         \
            O[outBase + ci] = acc / samples;                                                          \
        }                                                                                             \
    }

void main() {
    uint tiles = (p.C4 + TILE_C4 - 1u) / TILE_C4;
    uint t = flat_invocation();
    if (t >= p.R * p.oh * p.ow * tiles)
        return;
    uint c0 = (t % tiles) * TILE_C4;
    uint bin = t / tiles;
    uint pw = bin % p.ow;
    uint ph = (bin / p.ow) % p.oh;
    uint r = bin / (p.ow * p.oh);
    uint outBase = bin * p.C4;
    int cmax = int(min(TILE_C4, p.C4 - c0));

    if (HAS_COUNT && r >= count) {
        for (int c = 0; c < cmax; c++)
            O[outBase + c0 + uint(c)] = vec4(0.0);
        return;
    }

    vec4 box = imageLoad(Boxes, int(r));
    int level = 0;
    if (LEVELS > 1u) {
        float s = sqrt((box.z - box.x) * (box.w - box.y));
        float l = EPS_IN_LOG ? floor(p.canonicalLevel + log2(s / p.canonicalSize + p.eps))
                             : floor(p.canonicalLevel + log2(s / p.canonicalSize) + p.eps);
        level = int(clamp(l, p.firstLevel, p.firstLevel + float(LEVELS - 1u)) - p.firstLevel);
    }
    float height = perLevel(level, float(p.H0), float(p.H1), float(p.H2), float(p.H3), float(p.H4));
    float width = perLevel(level, float(p.W0), float(p.W1), float(p.W2), float(p.W3), float(p.W4));
    float scale = perLevel(level, p.scale0, p.scale1, p.scale2, p.scale3, p.scale4);
    int rowTexels = int(width) * int(p.C4);
    float offset = ALIGNED ? 0.5 : 0.0;

    precise float startW = box.x * scale - offset;
    precise float startH = box.y * scale - offset;
    precise float roiW = box.z * scale - offset - startW;
    precise float roiH = box.w * scale - offset - startH;
    if (!ALIGNED) {
        roiW = max(roiW, 1.0);
        roiH = max(roiH, 1.0);
    }
    precise float binH = roiH / float(p.oh);
    precise float binW = roiW / float(p.ow);
    int gridH = p.sampling > 0 ? p.sampling : int(ceil(roiH / float(p.oh)));
    int gridW = p.sampling > 0 ? p.sampling : int(ceil(roiW / float(p.ow)));
    float samples = float(max(gridH * gridW, 1));

    ivec4 fa[MAX_FIXED * MAX_FIXED];
    vec4 fw[MAX_FIXED * MAX_FIXED];
    if (FIXED > 0u) {
        for (uint iy = 0u; iy < FIXED; iy++) {
            precise float y = startH + float(ph) * binH + (float(iy) + 0.5) * binH / float(FIXED);
            for (uint ix = 0u; ix < FIXED; ix++) {
                precise float x = startW + float(pw) * binW + (float(ix) + 0.5) * binW / float(FIXED);
                corners(y, x, height, width, rowTexels, fa[iy * FIXED + ix], fw[iy * FIXED + ix]);
            }
        }
    }

    POOL_LEVEL(0, F0)
    POOL_LEVEL(1, F1)
    POOL_LEVEL(2, F2)
    POOL_LEVEL(3, F3)
    POOL_LEVEL(4, F4)
}
