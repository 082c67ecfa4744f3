#version 450
// One query's normalised attention weights over the keys of its segment, f(x_i, x_j) / C(x), for
// a live heat map: scores (dot product, or CONCAT ReLU(w1 . theta + w2 . phi)) times scale, then a
// softmax over the keys (SOFTMAX), or as they are (dot product and concatenation, whose 1/N is in
// scale).
// The query is read from a buffer at run time (so moving it needs no new recording): (x, y, t, n),
// x, y and t as fractions of the block input's width, height and frames (position floor(f * extent),
// clamped), n the clip. Its segment is n * seg_per_clip + (t / t_div) * t_mul + (h * W + w) * hw_mul
// (space: n T + t; time: n HW + hw; temporal groups: n T/G + t/G; spacetime: n), whose keys start at
// row k_base = segment / per * k_outer + segment % per.
// Layout: theta rows of q_stride texels, keys at rows k_base + j * step (k_stride texels, phi at
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
layout(binding = 4) readonly buffer Query { vec4 query; };

layout(push_constant) uniform Push {
    uint d4;
    uint q_stride;
    uint k_stride;
    uint k_offset;
    uint clips;
    uint frames;
    uint height;
    uint width;
    uint seg_per_clip;
    uint t_div;
    uint t_mul;
    uint hw_mul;
    uint per;
    uint k_outer;
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
    uint qw = uint(clamp(int(floor(query.x * float(p.width))), 0, int(p.width) - 1));
    uint qh = uint(clamp(int(floor(query.y * float(p.height))), 0, int(p.height) - 1));
    uint qt = uint(clamp(int(floor(query.z * float(p.frames))), 0, int(p.frames) - 1));
    uint qn = uint(clamp(int(query.w), 0, int(p.clips) - 1));
    uint hw = qh * p.width + qw;
    uint q_row = (qn * p.frames + qt) * p.height * p.width + hw;
    uint segment = qn * p.seg_per_clip + qt / p.t_div * p.t_mul + hw * p.hw_mul;
    uint k_base = segment / p.per * p.k_outer + segment % p.per;
    int qbase = int(q_row * p.q_stride);
    float a = 0.0;
    if (CONCAT) {
        for (uint c = 0u; c < p.d4; c++)
            a += dot(imageLoad(Q, qbase + int(c)), imageLoad(W, int(c)));
    }
    float local_max = -1.0e30;
    for (uint j = t; j < p.lk; j += 64u) {
        int kbase = int((k_base + j * p.step) * p.k_stride + p.k_offset);
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
