#version 450
// Row reduction of a [rows, cols] fp32 matrix: out[r] = sum (OP 0) or max (OP 1) of row r.
// One workgroup per row; each invocation folds a strided slice, then a shared-memory tree combines
// the 64 partial results.
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint OP = 0;

layout(binding = 0) readonly buffer In { float x[]; };
layout(binding = 1) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
} p;

shared float partial[64];

float combine(float u, float v) { return OP == 0u ? u + v : max(u, v); }

void main() {
    uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    uint t = gl_LocalInvocationID.x;
    float acc = OP == 0u ? 0.0 : -3.402823466e38;
    if (row < p.rows) {
        uint base = row * p.cols;
        for (uint c = t; c < p.cols; c += 64u)
            acc = combine(acc, x[base + c]);
    }
    partial[t] = acc;
    barrier();
    for (uint stride = 32u; stride > 0u; stride >>= 1u) {
        if (t < stride)
            partial[t] = combine(partial[t], partial[t + stride]);
        barrier();
    }
    if (t == 0u && row < p.rows)
        o[row] = partial[0];
}
