#version 450
// Per-channel statistics of each clip, the head of the {{Id}} plugin.
// Layout: Clip is (N, T, H, W, 4) fp32 channels-last (channel 3 zero), read as rgba32f texels;
// Out is (N, 8) fp32 as vec4s: texel 2n is the mean of clip n over its T*H*W pixels, texel 2n+1 its
// motion energy, the mean squared difference between consecutive frames.
// Tile: one invocation per (clip, statistic), looping over the clip. Bounds: invocations past 2N return.
// Edit it while `engine live ... --watch-shaders` runs: it is recompiled and swapped in.
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Clip;
layout(binding = 1) writeonly buffer Out { vec4 o[]; };

layout(push_constant) uniform Push {
    uint batch;
    uint frames;  // T
    uint pixels;  // H * W
} p;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= 2u * p.batch)
        return;
    int clip = int((i / 2u) * p.frames * p.pixels);
    vec4 sum = vec4(0.0);
    if ((i & 1u) == 0u) {
        for (uint k = 0u; k < p.frames * p.pixels; k++)
            sum += imageLoad(Clip, clip + int(k));
        o[i] = sum / float(p.frames * p.pixels);
    } else {
        for (uint t = 1u; t < p.frames; t++) {
            for (uint k = 0u; k < p.pixels; k++) {
                vec4 d = imageLoad(Clip, clip + int(t * p.pixels + k)) - imageLoad(Clip, clip + int((t - 1u) * p.pixels + k));
                sum += d * d;
            }
        }
        o[i] = sum / float(max(p.frames - 1u, 1u) * p.pixels);
    }
}
