#version 450
// Row softmax of a (rows, cols) fp32 matrix, rows of any length: Out[r, :] = softmax(scale * X[r, :]),
// computed as exp(scale * x - max) / sum with the maximum subtracted for range safety.
// Layout: X is an r32f texel buffer, Out a float SSBO, both row-major and contiguous.
// Tile: one workgroup of 64 invocations per row (x overflowing into y); each folds a strided slice
// of the row, then a shared-memory tree combines the 64 partial maxima and sums. Bounds: every read
// and write is inside the row.
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0, r32f) uniform readonly imageBuffer X;
layout(binding = 1) writeonly buffer Out { float O[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    float scale;
} p;

shared float partial[64];

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    uint t = gl_LocalInvocationID.x;
    bool inRange = row < p.rows;
    int base = int(row * p.cols);

    float m = -3.402823466e38;
    if (inRange)
        for (uint c = t; c < p.cols; c += 64u)
            m = max(m, p.scale * imageLoad(X, base + int(c)).x);
    partial[t] = m;
    barrier();
    for (uint stride = 32u; stride > 0u; stride >>= 1u) {
        if (t < stride)
            partial[t] = max(partial[t], partial[t + stride]);
        barrier();
    }
    m = partial[0];
    barrier();

    float s = 0.0;
    if (inRange)
        for (uint c = t; c < p.cols; c += 64u)
            s += exp(p.scale * imageLoad(X, base + int(c)).x - m);
    partial[t] = s;
    barrier();
    for (uint stride = 32u; stride > 0u; stride >>= 1u) {
        if (t < stride)
            partial[t] += partial[t + stride];
        barrier();
    }
    float inv = 1.0 / partial[0];

    if (inRange)
        for (uint c = t; c < p.cols; c += 64u)
            O[base + int(c)] = exp(p.scale * imageLoad(X, base + int(c)).x - m) * inv;
}
