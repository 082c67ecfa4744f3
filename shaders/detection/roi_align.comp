#version 450
// RoIAlign over channels-last feature maps as torchvision.ops.roi_align computes it (bilinear
// samples averaged per bin; aligned shifts by half a pixel; sampling ratio 0 = adaptive
// ceil(roi / bin)), over up to 5 FPN levels with MultiScaleRoIAlign's level mapping:
// floor(canonicalLevel + log2(sqrt(area) / canonicalSize) + eps) (detectron2: eps inside the log),
// clamped to the given levels. With one level the mapping is skipped. The op records one dispatch per
// level with that level's map bound as F: an invocation whose box maps elsewhere returns at once,
// so every feature load goes to one texel buffer (a load that picks among several buffers at run
// time is several times slower on lavapipe).
// Layout: F (1, 1, H, W, C4 texels) rgba32f texel buffer of level `level`;
// Boxes (R, 4) rgba32f texel buffer in image pixels; Count (1) uint32 valid boxes (HAS_COUNT);
// Out (R, 1, oh, ow, C4 texels) vec4, rows past the count zero.
// Tile: one output bin x TILE_C4 texels (4 * TILE_C4 channels) per invocation on a flat 2D grid;
// the channel tile is bounds-checked at C4.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint LEVELS = 1;
layout(constant_id = 1) const bool ALIGNED = false;
layout(constant_id = 2) const bool HAS_COUNT = false;
layout(constant_id = 3) const bool EPS_IN_LOG = false;
layout(constant_id = 4) const uint TILE_C4 = 4;

layout(binding = 0, rgba32f) uniform readonly imageBuffer F;
layout(binding = 1, rgba32f) uniform readonly imageBuffer Boxes;
layout(binding = 2) readonly buffer Count { uint count; };
layout(binding = 3) writeonly buffer Out { vec4 O[]; };

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
    uint level;
    uint H;
    uint W;
    float scale;
} p;

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

    if (HAS_COUNT && r >= count) {
        if (p.level != 0u)
            return;
        for (uint c = 0u; c < TILE_C4; c++)
            if (c0 + c < p.C4)
                O[outBase + c0 + c] = vec4(0.0);
        return;
    }

    vec4 box = imageLoad(Boxes, int(r));
    uint level = 0u;
    if (LEVELS > 1u) {
        float s = sqrt((box.z - box.x) * (box.w - box.y));
        float l = EPS_IN_LOG ? floor(p.canonicalLevel + log2(s / p.canonicalSize + p.eps))
                             : floor(p.canonicalLevel + log2(s / p.canonicalSize) + p.eps);
        level = uint(clamp(l, p.firstLevel, p.firstLevel + float(LEVELS - 1u)) - p.firstLevel);
    }
    if (level != p.level)
        return;
    float height = float(p.H);
    float width = float(p.W);
    int rowTexels = int(p.W * p.C4);
    float scale = p.scale;
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
    float n = float(max(gridH * gridW, 1));

    vec4 acc[TILE_C4];
    for (uint c = 0u; c < TILE_C4; c++)
        acc[c] = vec4(0.0);
    uint cmax = min(TILE_C4, p.C4 - c0);
    for (int iy = 0; iy < gridH; iy++) {
        precise float y = startH + float(ph) * binH + (float(iy) + 0.5) * binH / float(gridH);
        for (int ix = 0; ix < gridW; ix++) {
            precise float x = startW + float(pw) * binW + (float(ix) + 0.5) * binW / float(gridW);
            if (y < -1.0 || y > height || x < -1.0 || x > width)
                continue;
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
            precise float w1 = hy * hx;
            precise float w2 = hy * lx;
            precise float w3 = ly * hx;
            precise float w4 = ly * lx;
            int p1 = yl * rowTexels + xl * int(p.C4) + int(c0);
            int p2 = yl * rowTexels + xh * int(p.C4) + int(c0);
            int p3 = yh * rowTexels + xl * int(p.C4) + int(c0);
            int p4 = yh * rowTexels + xh * int(p.C4) + int(c0);
            for (uint c = 0u; c < TILE_C4; c++) {
                if (c < cmax) {
                    precise vec4 v = w1 * imageLoad(F, p1 + int(c)) + w2 * imageLoad(F, p2 + int(c))
                        + w3 * imageLoad(F, p3 + int(c)) + w4 * imageLoad(F, p4 + int(c));
                    acc[c] += v;
                }
            }
        }
    }
    for (uint c = 0u; c < TILE_C4; c++)
        if (c < cmax)
            O[outBase + c0 + c] = acc[c] / n;
}
