#version 450
// Elementwise ops over n floats: out[i] = op(a[i], b[i]) for binary ops, op(a[i]) for unary ones.
// OP (specialization constant): 0 add, 1 mul, 2 relu(a), 3 sigmoid(a), 4 a * alpha + beta.
// Layout: flat fp32 arrays; one element per invocation; a 2D grid so n may exceed 65535 * 64.
#include "index.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 0) const uint OP = 0;

layout(binding = 0) readonly buffer InA { float a[]; };
layout(binding = 1) readonly buffer InB { float b[]; };
layout(binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform Push {
    uint n;
    float alpha;
    float beta;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n)
        return;
    float x = a[i];
    float y;
    if (OP == 0u) y = x + b[i];
    else if (OP == 1u) y = x * b[i];
    else if (OP == 2u) y = max(x, 0.0);
    else if (OP == 3u) y = 1.0 / (1.0 + exp(-x));
    else y = x * p.alpha + p.beta;
    o[i] = y;
}
