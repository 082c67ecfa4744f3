#version 450
// Anchors of one feature level as torchvision's AnchorGenerator makes them: for every location
// (y, x) of an H x W grid and every base anchor a, (x*strideX, y*strideY, x*strideX, y*strideY) +
// base[a]. The base anchors round([-w, -h, w, h] / 2) are computed on the host in fp32 and passed in
// push constants (at most 6); shifts are whole numbers, so every value is exact.
// Layout: Out (H*W*A, 4) fp32 in order (H, W, A). Tile: one anchor per invocation, flat 2D grid,
// bounds-checked.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0) writeonly buffer Out { vec4 O[]; };

layout(push_constant) uniform Push {
    uint H;
    uint W;
    uint A;
    uint strideY;
    uint strideX;
    vec4 base[6];
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.H * p.W * p.A)
        return;
    uint a = i % p.A;
    uint cell = i / p.A;
    float sx = float((cell % p.W) * p.strideX);
    float sy = float((cell / p.W) * p.strideY);
    O[i] = vec4(sx, sy, sx, sy) + p.base[a];
}
