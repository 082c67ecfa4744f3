#version 450
// Non-local attention in one pass (softmax instantiations only): for a tile of queries of one
// segment, y_q = sum_k exp(S_qk - m_q) g_k / l_q with S_qk = scale * theta_q . phi_k, walking the
// segment's keys in chunks of 4 * CHUNK4 and keeping an online softmax per query (running max m and
// sum l, the accumulated y rescaled by exp(m_old - m_new) whenever m grows). The affinity matrix is
// never written: a chunk's scores live in registers only.
// Layout: Q rows (q_stride texels) read as rgba32f texels, d4 texels each; KT is phi transposed per
// segment (transpose_keys.comp): (segments, 4 * d4, lk4 / 4) texels of four keys each; V rows
// (v_stride texels, g starting at texel v_offset), dv4 texels of g; Y rows of y_stride texels at the
// same tensor rows as the queries.
// Y is both the accumulator and the output: the unnormalised sum of a query row does not fit in
// registers for inner widths of hundreds of channels (the register tile would have to hold
// TILE_Q x inner floats), so each chunk reads the row back, rescales it, adds the chunk's
// contribution and stores it; the last chunk divides by l. Y is a read-write rgba32f storage texel
// buffer (not an SSBO): on lavapipe a texel load with a computed address takes the vectorised gather
// path where an SSBO load is scalarised, and a texel buffer read and written through the same
// binding by the same invocation is ordered on every device. Each row is read and written by exactly
// one invocation; the first chunk does not read (Y may hold garbage, even NaN).
// Tile: TILE_Q queries per invocation, a chunk's TILE_Q x 4 CHUNK4 scores in registers (the scores
// kernel's register tile), then per value texel TILE_Q accumulators fed four keys' g texels at a
// time, shared by the TILE_Q queries. Large chunks pay: y is read and written once per chunk
// (docs/bench-log.md 2026-12-07). CHUNK4 <= 32 (NonLocalAttention), so each loop over a register
// array is fully unrolled: beyond that the arrays are indexed dynamically and lavapipe (Mesa 22.3.6)
// computes wrong results. For the same reason g is loaded four texels at a time rather than as one
// array of the chunk's texels (more than 32 of them from 48-key chunks on). Constant-trip inner
// loops, no shared memory (the fast form on lavapipe: see ../shared/docs/lavapipe.md); x walks query
// tiles, z segments. Queries past lq are clamped on load and never stored; keys past lk are
// clamped on load and get probability exactly 0 (a logit of -1e30; every chunk holds at least one
// real key, so m is always a real logit after the first).
#include "attention_rows.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_Q = 16;
layout(constant_id = 2) const uint CHUNK4 = 16;

layout(binding = 0, rgba32f) uniform readonly imageBuffer Q;
layout(binding = 1, rgba32f) uniform readonly imageBuffer KT;
layout(binding = 2, rgba32f) uniform readonly imageBuffer V;
layout(binding = 3, rgba32f) uniform restrict imageBuffer Y;

layout(push_constant) uniform Push {
    uint d4;
    uint q_stride;
    uint lk4;
    uint dv4;
    uint v_stride;
    uint v_offset;
    uint y_stride;
    uint per;
    uint q_outer;
    uint k_outer;
    uint step;
    uint lq;
    uint s0;
    uint lk;
    uint chunks;
    float scale;
} p;

const float MASKED = -1.0e30;
const uint CHUNK = CHUNK4 * 4u;

void main() {
    uint i = gl_GlobalInvocationID.x * TILE_Q;
    if (i >= p.lq)
        return;
    uint seg = p.s0 + gl_GlobalInvocationID.z;

    int qrow[TILE_Q];
    int yrow[TILE_Q];
    for (uint r = 0u; r < TILE_Q; r++) {
        uint row = segment_row(seg, min(i + r, p.lq - 1u), p.per, p.q_outer, p.step);
        qrow[r] = int(row * p.q_stride);
        yrow[r] = int(row * p.y_stride);
    }
    uint lk4t = p.lk4 / 4u;
    int kbase = int(seg * p.d4 * 4u * lk4t);
    // The segment's first key row, outside the key loop: its division is not free on every device.
    uint keyBase = segment_base(seg, p.per, p.k_outer);

    float m[TILE_Q];
    float l[TILE_Q];
    for (uint r = 0u; r < TILE_Q; r++) {
        m[r] = MASKED;
        l[r] = 0.0;
    }

    for (uint chunk = 0u; chunk < p.chunks; chunk++) {
        uint k0 = chunk * CHUNK;
        int kcol[CHUNK4];
        for (uint t = 0u; t < CHUNK4; t++)
            kcol[t] = int(min(k0 / 4u + t, lk4t - 1u));

        // Scores of the chunk: TILE_Q x CHUNK in registers.
        vec4 s[TILE_Q][CHUNK4];
        for (uint r = 0u; r < TILE_Q; r++)
            for (uint t = 0u; t < CHUNK4; t++)
                s[r][t] = vec4(0.0);
        for (uint c = 0u; c < p.d4; c++) {
            vec4 kt[4][CHUNK4];
            int crow = kbase + int(c * 4u * lk4t);
            for (uint cc = 0u; cc < 4u; cc++)
                for (uint t = 0u; t < CHUNK4; t++)
                    kt[cc][t] = imageLoad(KT, crow + int(cc * lk4t) + kcol[t]);
            for (uint r = 0u; r < TILE_Q; r++) {
                vec4 q = imageLoad(Q, qrow[r] + int(c));
                for (uint t = 0u; t < CHUNK4; t++)
                    s[r][t] += q.x * kt[0][t] + q.y * kt[1][t] + q.z * kt[2][t] + q.w * kt[3][t];
            }
        }

        // Online softmax: scores become exp(S - m_new), alpha rescales what Y holds.
        bvec4 valid[CHUNK4];
        for (uint t = 0u; t < CHUNK4; t++)
            valid[t] = lessThan(uvec4(k0 + t * 4u) + uvec4(0u, 1u, 2u, 3u), uvec4(p.lk));
        float alpha[TILE_Q];
        float norm[TILE_Q];
        bool last = chunk + 1u == p.chunks;
        for (uint r = 0u; r < TILE_Q; r++) {
            vec4 mx = vec4(MASKED);
            for (uint t = 0u; t < CHUNK4; t++) {
                s[r][t] = mix(vec4(MASKED), s[r][t] * p.scale, valid[t]);
                mx = max(mx, s[r][t]);
            }
            float mnew = max(m[r], max(max(mx.x, mx.y), max(mx.z, mx.w)));
            alpha[r] = exp(m[r] - mnew);
            vec4 sum = vec4(0.0);
            for (uint t = 0u; t < CHUNK4; t++) {
                s[r][t] = exp(s[r][t] - mnew);
                sum += s[r][t];
            }
            l[r] = l[r] * alpha[r] + (sum.x + sum.y) + (sum.z + sum.w);
            m[r] = mnew;
            norm[r] = last ? 1.0 / l[r] : 1.0;
        }

        // Y = alpha Y + P g over the chunk's keys, one value texel at a time.
        int vrow[CHUNK];
        for (uint k = 0u; k < CHUNK; k++)
            vrow[k] = int((keyBase + min(k0 + k, p.lk - 1u) * p.step) * p.v_stride + p.v_offset);
        bool first = chunk == 0u;
        for (uint c = 0u; c < p.dv4; c++) {
            vec4 acc[TILE_Q];
            for (uint r = 0u; r < TILE_Q; r++)
                acc[r] = first ? vec4(0.0) : alpha[r] * imageLoad(Y, yrow[r] + int(c));
            for (uint t = 0u; t < CHUNK4; t++) {
                vec4 v0 = imageLoad(V, vrow[4u * t] + int(c));
                vec4 v1 = imageLoad(V, vrow[4u * t + 1u] + int(c));
                vec4 v2 = imageLoad(V, vrow[4u * t + 2u] + int(c));
                vec4 v3 = imageLoad(V, vrow[4u * t + 3u] + int(c));
                for (uint r = 0u; r < TILE_Q; r++)
                    acc[r] += s[r][t].x * v0 + s[r][t].y * v1 + s[r][t].z * v2 + s[r][t].w * v3;
            }
            for (uint r = 0u; r < TILE_Q; r++) {
                if (i + r < p.lq)
                    imageStore(Y, yrow[r] + int(c), acc[r] * norm[r]);
            }
        }
    }
}
