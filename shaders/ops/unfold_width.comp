#version 450
// Width unfold for convolutions with one input texel per pixel (Cp = 4, the RGB stem): the kw taps of
// each output column become channels, so the convolution that follows has kernel width 1 and runs
// its per-tap address work kw times less often (that work, not arithmetic, bounds a 4-channel conv).
//   Xu[row, wo, c] = X[row, wo * stride - pad + c * dilation]   (vec4 texels; zero outside the row)
// where row runs over N*T*H. The packed weights of the original convolution are already in the
// order the unfolded one reads (row ((a*kh + b)*kw + c)*4 + ci), so only the input changes.
// Layout: X is (N, T, H, W, 1 texel) as an rgba32f texel buffer; Xu is (N, T, H, Wo, kw texels), a
// vec4 SSBO. One texel per invocation over a 2D grid; the flat index is checked against the count.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 Xu[]; };

layout(push_constant) uniform Push {
    uint rows;     // N * T * H
    uint width;    // W
    uint outWidth; // Wo
    uint taps;     // kw
    int stride;
    int pad;
    int dilation;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.outWidth * p.taps)
        return;
    uint c = i % p.taps;
    uint rest = i / p.taps;
    uint wo = rest % p.outWidth;
    uint row = rest / p.outWidth;
    int w = int(wo) * p.stride - p.pad + int(c) * p.dilation;
    vec4 v = vec4(0.0);
    if (w >= 0 && w < int(p.width))
        v = imageLoad(X, int(row * p.width) + w);
    Xu[i] = v;
}
