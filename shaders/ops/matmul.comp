#version 450
// Batched matrix product C[b] = alpha * A[b] * op(B[b]), op(B) = B or B^T (TRANS_B):
// A (batch, M, K), B (batch, K, N) or (batch, N, K), C (batch, M, N), all contiguous row-major fp32
// with K and N multiples of 4. A and B are rgba32f texel buffers, C a vec4 SSBO.
// Tile: each invocation computes TILE_M rows x (4 * TILE_N4) columns of one batch in registers, no
// shared memory (as gemm.comp). x walks column tiles, y row tiles, z the batch. Bounds: loads clamp
// to the last row/column, stores are bounds-checked.
layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const uint TILE_M = 8;
layout(constant_id = 2) const uint TILE_N4 = 2;
layout(constant_id = 3) const bool TRANS_B = false;

layout(binding = 0, rgba32f) uniform readonly imageBuffer A;
layout(binding = 1, rgba32f) uniform readonly imageBuffer B;
layout(binding = 2) writeonly buffer Out { vec4 C[]; };

layout(push_constant) uniform Push {
    uint M;
    uint N;
    uint K;
    float alpha;
} p;

void main() {
    uint n4 = p.N / 4u;
    uint k4 = p.K / 4u;
    uint col4 = gl_GlobalInvocationID.x * TILE_N4;
    uint row = gl_GlobalInvocationID.y * TILE_M;
    uint batch = gl_WorkGroupID.z;
    if (col4 >= n4 || row >= p.M)
        return;
    int aBase = int(batch * p.M * k4);
    int bBase = int(batch * p.K * n4);
    int arow[TILE_M];
    for (uint r = 0u; r < TILE_M; r++)
        arow[r] = aBase + int(min(row + r, p.M - 1u) * k4);
    int bcol[TILE_N4];
    for (uint c = 0u; c < TILE_N4; c++)
        bcol[c] = int(min(col4 + c, n4 - 1u));

    vec4 acc[TILE_M][TILE_N4];
    for (uint r = 0u; r < TILE_M; r++)
        for (uint c = 0u; c < TILE_N4; c++)
            acc[r][c] = vec4(0.0);

    for (uint k = 0u; k < k4; k++) {
        if (TRANS_B) {
            // B^T: row n of B holds column n of op(B); texel k of it is 4 consecutive k.
            vec4 bt[TILE_N4][4];
            for (uint c = 0u; c < TILE_N4; c++)
                for (uint j = 0u; j < 4u; j++)
                    bt[c][j] = imageLoad(B, bBase + int(min(uint(bcol[c]) * 4u + j, p.N - 1u) * k4 + k));
            for (uint r = 0u; r < TILE_M; r++) {
                vec4 a = imageLoad(A, arow[r] + int(k));
                for (uint c = 0u; c < TILE_N4; c++)
                    acc[r][c] += vec4(dot(a, bt[c][0]), dot(a, bt[c][1]), dot(a, bt[c][2]), dot(a, bt[c][3]));
            }
        } else {
            vec4 b[4][TILE_N4];
            int brow = bBase + int(k * 4u * n4);
            for (uint kk = 0u; kk < 4u; kk++)
                for (uint c = 0u; c < TILE_N4; c++)
                    b[kk][c] = imageLoad(B, brow + int(kk * n4) + bcol[c]);
            for (uint r = 0u; r < TILE_M; r++) {
                vec4 a = imageLoad(A, arow[r] + int(k));
                for (uint c = 0u; c < TILE_N4; c++)
                    acc[r][c] += a.x * b[0][c] + a.y * b[1][c] + a.z * b[2][c] + a.w * b[3][c];
            }
        }
    }

    uint cBase = batch * p.M * n4;
    for (uint r = 0u; r < TILE_M; r++) {
        if (row + r >= p.M)
            break;
        for (uint c = 0u; c < TILE_N4; c++) {
            if (col4 + c < n4)
                C[cBase + (row + r) * n4 + col4 + c] = p.alpha * acc[r][c];
        }
    }
}
