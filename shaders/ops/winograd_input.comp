#version 450
// Winograd F(2x2, 3x3) input transform (Lavin & Gray): every 4x4 input patch d of a 2x2 output tile
// becomes V = B^T d B, scattered into 16 matrices V_e (e = 4a + b) of (tiles, CIN), so that the
// convolution is 16 GEMMs M_e = V_e x U_e (ops/winograd_output.comp finishes it).
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
// Layout: X is (F, H, W, CIN) channels-last, F = N * T frames (the kernel is 1 frame deep), an rgba32f
// texel buffer. Tile (f, i, j) covers output rows 2i, 2i+1 and columns 2j, 2j+1, so its patch starts at
// input (2i - padH, 2j - padW); tiles are numbered f-major, then i, then j. V is one vec4 SSBO holding
// the 16 matrices slab after slab, slab e starting at texel e * slabTexels (slabs are padded so each
// starts at a bindable offset: the GEMMs bind them as views).
// One invocation per (tile, channel texel), flat over a 2D grid. Bounds: patch texels outside the
// input are zero (clamped load times a mask, no branch); the flat index is checked against the count.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 V[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;   // H, W, CIN/4, -
    uvec4 tiles;    // tiles along H, tiles along W, tiles in all, texels per slab
    ivec4 pad;      // padH, padW, -, -
} p;

void main() {
    uint cin4 = p.inDims.z;
    uint i = flat_invocation();
    if (i >= p.tiles.z * cin4)
        return;
    uint c4 = i % cin4;
    uint tile = i / cin4;
    uint tw = tile % p.tiles.y;
    uint th = (tile / p.tiles.y) % p.tiles.x;
    uint f = tile / (p.tiles.y * p.tiles.x);
    ivec2 size = ivec2(p.inDims.xy);
    ivec2 origin = ivec2(th, tw) * 2 - p.pad.xy;
    int frame = int(f) * size.x * size.y;

    vec4 d[4][4];
    for (int r = 0; r < 4; r++) {
        int y = origin.x + r;
        float rowMask = (y >= 0 && y < size.x) ? 1.0 : 0.0;
        int yc = clamp(y, 0, size.x - 1);
        for (int c = 0; c < 4; c++) {
            int x = origin.y + c;
            float mask = (x >= 0 && x < size.y) ? rowMask : 0.0;
            int xc = clamp(x, 0, size.y - 1);
            d[r][c] = mask * imageLoad(X, (frame + yc * size.y + xc) * int(cin4) + int(c4));
        }
    }

    // t = B^T d (rows), then V = t B (columns).
    vec4 t[4][4];
    for (int c = 0; c < 4; c++) {
        t[0][c] = d[0][c] - d[2][c];
        t[1][c] = d[1][c] + d[2][c];
        t[2][c] = d[2][c] - d[1][c];
        t[3][c] = d[1][c] - d[3][c];
    }
    uint at = tile * cin4 + c4;
    uint slab = p.tiles.w;
    for (uint r = 0u; r < 4u; r++) {
        uint row = at + r * 4u * slab;
        V[row] = t[r][0] - t[r][2];
        V[row + slab] = t[r][1] + t[r][2];
        V[row + 2u * slab] = t[r][2] - t[r][1];
        V[row + 3u * slab] = t[r][1] - t[r][3];
    }
}
