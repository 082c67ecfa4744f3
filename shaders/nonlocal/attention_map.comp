#version 450
// One query's normalised attention weights over the keys of its segment, f(x_i, x_j) / C(x), for
// a live heat map: scores (dot product, or CONCAT ReLU(w1 . theta + w2 . phi)) times scale, then a
// softmax over the keys (SOFTMAX), or as they are (dot product and concatenation, whose 1/N is in
// scale).
// Layout: theta row q_row (q_stride texels), keys at rows k_base + j * step (k_stride texels, phi at
// texel k_offset), W = [w1 | w2] as for scores.comp; the output is lk floats.
// Tile: one workgroup of 64 invocations, each taking every 64th key; the max and the sum are
// combined through shared memory (a single small dispatch, not a hot loop).
layout(local_size_x = 64) in;
layout(constant_id = 0) const bool CONCAT = false;
layout(constant_id = 1) const bool SOFTMAX = true;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Q;
layout(binding = 1, rgba32f) uniform readonly imageBuffer K;
layout(binding = 2, rgba32f) uniform readonly imageBuffer W;
layout(binding = 3) buffer Out { float o[]; };

layout(push_constant) uniform Push {
    uint d4;
    uint q_stride;
    uint k_stride;
    uint k_offset;
    uint q_row;
    uint k_base;
    uint step;
    uint lk;
    float scale;
} p;

shared float partial[64];

float combine(float value, bool maximum) {
    uint t = gl_LocalInvocationID.x;
    partial[t] = value;
    barrier();
    for (uint half_ = 32u; half_ > 0u; half_ /= 2u) {
        if (t < half_)
            partial[t] = maximum ? max(partial[t], partial[t + half_]) : partial[t] + partial[t + half_];
        barrier();
    }
    float result = partial[0];
    barrier();
    return result;
}

void main() {
    uint t = gl_LocalInvocationID.x;
    int qbase = int(p.q_row * p.q_stride);
    float a = 0.0;
    if (CONCAT) {
        for (uint c = 0u; c < p.d4; c++)
            a += dot(imageLoad(Q, qbase + int(c)), imageLoad(W, int(c)));
    }
    float local_max = -1.0e30;
    for (uint j = t; j < p.lk; j += 64u) {
        int kbase = int((p.k_base + j * p.step) * p.k_stride + p.k_offset);
        float s = 0.0;
        for (uint c = 0u; c < p.d4; c++) {
            vec4 k = imageLoad(K, kbase + int(c));
            s += dot(CONCAT ? imageLoad(W, int(p.d4 + c)) : imageLoad(Q, qbase + int(c)), k);
        }
        s = (CONCAT ? max(a + s, 0.0) : s) * p.scale;
        o[j] = s;
        local_max = max(local_max, s);
    }
    if (!SOFTMAX)
        return;
    float m = combine(local_max, true);
    float local_sum = 0.0;
    for (uint j = t; j < p.lk; j += 64u) {
        float e = exp(o[j] - m);
        o[j] = e;
        local_sum += e;
    }
    float l = combine(local_sum, false);
    for (uint j = t; j < p.lk; j += 64u)
        o[j] = o[j] / l;
}
