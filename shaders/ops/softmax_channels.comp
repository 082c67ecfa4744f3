#version 450
// Softmax over the channels of each position of a channels-last tensor: rows of Cp floats of which
// the first C are real; the padded channels are ignored and written as zero (the layout's rule).
// Layout: x and y are (rows, Cp) fp32, contiguous. One workgroup of 64 per row: each invocation
// folds a strided slice, a shared-memory tree combines them (rows are short: class scores of a head).
// Bounds: rows past the end return; channels past C are skipped.
#include "tensor5.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) readonly buffer In { float x[]; };
layout(binding = 1) writeonly buffer Out { float y[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint channels;  // C, the real channels
    uint stride;    // Cp, floats per row
} p;

shared float partial[64];

float reduce_max(float v, uint t) {
    partial[t] = v;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1u) {
        if (t < s)
            partial[t] = max(partial[t], partial[t + s]);
        barrier();
    }
    float r = partial[0];
    barrier();
    return r;
}

float reduce_sum(float v, uint t) {
    partial[t] = v;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1u) {
        if (t < s)
            partial[t] += partial[t + s];
        barrier();
    }
    float r = partial[0];
    barrier();
    return r;
}

void main() {
    uint row = row_tile();
    if (row >= p.rows)
        return;
    uint t = gl_LocalInvocationID.x;
    uint base = row * p.stride;
    float m = -3.402823466e38;
    for (uint c = t; c < p.channels; c += 64u)
        m = max(m, x[base + c]);
    m = reduce_max(m, t);
    float s = 0.0;
    for (uint c = t; c < p.channels; c += 64u)
        s += exp(x[base + c] - m);
    s = reduce_sum(s, t);
    for (uint c = t; c < p.stride; c += 64u)
        y[base + c] = c < p.channels ? exp(x[base + c] - m) / s : 0.0;
}
