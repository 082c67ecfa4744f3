#version 450
// Motion energy per region of each clip: the mean over frames t = 1..T-1, the region's pixels and the
// three colour channels of (x[t] - x[t-1])^2.
// Layout: Clip is (N, T, H, W, 4) fp32 channels-last (channel 3 zero), read as rgba32f texels; Out is
// (N, G, G) fp32, row-major. Region (gy, gx) covers rows [gy*H/G, (gy+1)*H/G) and columns
// [gx*W/G, (gx+1)*W/G) (integer division, so every pixel belongs to exactly one region; G <= H, W).
// Tile: one invocation per (clip, region), looping over its pixels and frames. Bounds: invocations
// past N*G*G return.
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Clip;
layout(binding = 1) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
    uint batch;
    uint frames;  // T >= 2
    uint height;  // H
    uint width;   // W
    uint grid;    // G
} p;

void main() {
    uint i = gl_GlobalInvocationID.x;
    uint regions = p.grid * p.grid;
    if (i >= p.batch * regions)
        return;
    uint n = i / regions;
    uint gy = (i % regions) / p.grid;
    uint gx = i % p.grid;
    uint y0 = gy * p.height / p.grid, y1 = (gy + 1u) * p.height / p.grid;
    uint x0 = gx * p.width / p.grid, x1 = (gx + 1u) * p.width / p.grid;
    uint plane = p.height * p.width;
    int clip = int(n * p.frames * plane);
    vec4 sum = vec4(0.0);
    for (uint t = 1u; t < p.frames; t++) {
        for (uint y = y0; y < y1; y++) {
            for (uint x = x0; x < x1; x++) {
                int at = clip + int(t * plane + y * p.width + x);
                vec4 d = imageLoad(Clip, at) - imageLoad(Clip, at - int(plane));
                sum += d * d;
            }
        }
    }
    float count = float((p.frames - 1u) * (y1 - y0) * (x1 - x0) * 3u);
    o[i] = (sum.r + sum.g + sum.b) / count;
}
