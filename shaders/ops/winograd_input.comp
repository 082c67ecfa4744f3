#version 450
// Winograd F(TILE x TILE, 3x3) input transform (Lavin & Gray), TILE = 2 or 4 (specialization
// constant; ALPHA = TILE + 2): every ALPHA x ALPHA input patch d of a TILE x TILE output tile becomes
// V = B^T d B, scattered into ALPHA^2 matrices V_e (e = ALPHA * a + b) of (tiles, CIN), so that the
// convolution is ALPHA^2 GEMMs M_e = V_e x U_e (ops/winograd_output.comp finishes it).
//   F(2x2): B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   F(4x4): B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
// Layout: X is (F, H, W, CIN) channels-last, F = N * T frames (the kernel is 1 frame deep), an rgba32f
// texel buffer. Tile (f, i, j) covers output rows TILE*i.. and columns TILE*j.., so its patch starts
// at input (TILE*i - padH, TILE*j - padW); tiles are numbered f-major, then i, then j. V is one vec4
// SSBO holding the matrices slab after slab, slab e starting at texel e * slabTexels (slabs are padded
// so each starts at a bindable offset: the GEMMs bind them as views).
// One invocation per (tile, channel texel), flat over a 2D grid. Bounds: patch texels outside the
// input are zero (clamped load times a mask, no branch); the flat index is checked against the count.
#extension GL_EXT_control_flow_attributes : require
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint TILE = 2;
const uint ALPHA = TILE + 2u;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 V[]; };

layout(push_constant) uniform Push {
    uvec4 inDims;   // H, W, CIN/4, -
    uvec4 tiles;    // tiles along H, tiles along W, tiles in all, texels per slab
    ivec4 pad;      // padH, padW, -, -
} p;

// v = B^T v for one line of ALPHA values.
void transform(inout vec4 v[6]) {
    if (TILE == 2u) {
        vec4 r0 = v[0] - v[2];
        vec4 r1 = v[1] + v[2];
        vec4 r2 = v[2] - v[1];
        vec4 r3 = v[1] - v[3];
        v[0] = r0; v[1] = r1; v[2] = r2; v[3] = r3;
    } else {
        vec4 r0 = 4.0 * v[0] - 5.0 * v[2] + v[4];
        vec4 r1 = v[3] + v[4] - 4.0 * (v[1] + v[2]);
        vec4 r2 = v[4] - v[3] + 4.0 * (v[1] - v[2]);
        vec4 r3 = v[4] - v[2] + 2.0 * (v[3] - v[1]);
        vec4 r4 = v[4] - v[2] + 2.0 * (v[1] - v[3]);
        vec4 r5 = 4.0 * v[1] - 5.0 * v[3] + v[5];
        v[0] = r0; v[1] = r1; v[2] = r2; v[3] = r3; v[4] = r4; v[5] = r5;
    }
}

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
    ivec2 origin = ivec2(th, tw) * int(TILE) - p.pad.xy;
    int frame = int(f) * size.x * size.y;

    vec4 d[6][6];
    [[unroll]] for (uint r = 0u; r < ALPHA; r++) {
        int y = origin.x + int(r);
        float rowMask = (y >= 0 && y < size.x) ? 1.0 : 0.0;
        int yc = clamp(y, 0, size.x - 1);
        [[unroll]] for (uint c = 0u; c < ALPHA; c++) {
            int x = origin.y + int(c);
            float mask = (x >= 0 && x < size.y) ? rowMask : 0.0;
            int xc = clamp(x, 0, size.y - 1);
            d[r][c] = mask * imageLoad(X, (frame + yc * size.y + xc) * int(cin4) + int(c4));
        }
    }

    // Columns (B^T d), then rows ((B^T d) B).
    [[unroll]] for (uint c = 0u; c < ALPHA; c++) {
        vec4 line[6];
        [[unroll]] for (uint r = 0u; r < ALPHA; r++)
            line[r] = d[r][c];
        transform(line);
        [[unroll]] for (uint r = 0u; r < ALPHA; r++)
            d[r][c] = line[r];
    }
    uint at = tile * cin4 + c4;
    uint slab = p.tiles.w;
    [[unroll]] for (uint a = 0u; a < ALPHA; a++) {
        vec4 line[6] = d[a];
        transform(line);
        [[unroll]] for (uint b = 0u; b < ALPHA; b++)
            V[at + (a * ALPHA + b) * slab] = line[b];
    }
}
