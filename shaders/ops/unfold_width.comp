#version 450
// Width unfold for convolutions with one input texel per pixel (Cp = 4, the RGB stem): the kw taps of
// each output column become channels, so the convolution that follows has kernel width 1 and runs
// its per-tap address work kw times less often (that work, not arithmetic, bounds a 4-channel conv).
//   Xu[row, wo, j] = X[row, wo * stride - pad + (j / CIN) * dilation, j % CIN]   for j < kw * CIN
// (zero outside the row and in the padding channels j >= kw * CIN), where row runs over N*T*H and
// CIN <= 4 is the input's true channel count: the taps are packed tightly, so an RGB 7-wide kernel
// unfolds to 24 channels rather than 28 (ConvSpec.PackUnfoldedWeights orders the weights to match).
// Layout: X is (N, T, H, W, 1 texel) as an rgba32f texel buffer; Xu is (N, T, H, Wo, outTexels), a
// vec4 SSBO. One output texel per invocation over a 2D grid; the flat index is checked against the count.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { vec4 Xu[]; };

layout(push_constant) uniform Push {
    uint rows;      // N * T * H
    uint width;     // W
    uint outWidth;  // Wo
    uint outTexels; // ceil(kw * CIN / 4)
    uint taps;      // kw
    uint channels;  // CIN
    int stride;
    int pad;
    int dilation;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.outWidth * p.outTexels)
        return;
    uint q = i % p.outTexels;
    uint rest = i / p.outTexels;
    uint wo = rest % p.outWidth;
    uint row = rest / p.outWidth;
    vec4 v = vec4(0.0);
    for (uint e = 0u; e < 4u; e++) {
        uint j = q * 4u + e;
        uint c = j / p.channels;
        int w = int(wo) * p.stride - p.pad + int(c) * p.dilation;
        if (c < p.taps && w >= 0 && w < int(p.width))
            v[e] = imageLoad(X, int(row * p.width) + w)[j % p.channels];
    }
    Xu[i] = v;
}
