#version 450
// Mean colour of each clip of a batch. Layout: Clip is (N, T, H, W, 4) fp32 channels-last, read as
// rgba32f texels; Out is (N, 4). Tile: one invocation per clip n, looping over its T*H*W texels.
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Clip;
layout(binding = 1) writeonly buffer Out { vec4 o[]; };

layout(push_constant) uniform Push {
    uint batch;
    uint texels;  // T * H * W
} p;

void main() {
    uint n = gl_GlobalInvocationID.x;
    if (n >= p.batch)
        return;
    vec4 sum = vec4(0.0);
    for (uint i = 0u; i < p.texels; i++)
        sum += imageLoad(Clip, int(n * p.texels + i));
    o[n] = sum / float(p.texels);
}
