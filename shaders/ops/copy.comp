#version 450
// Strided copy with zero fill, the kernel of permute, slice and concat (and of the NCTHW <->
// channels-last conversions at graph inputs and dumps):
//   Dst[dstOffset + sum_k i_k * dstStride_k] = all(i_k < srcExtent_k) ? Src[srcOffset + sum_k i_k * srcStride_k] : 0
// for every index i of the output box `dims` (6 axes, leading unit axes). Strides and offsets are
// in elements, so any permutation, slice step or destination sub-box is one dispatch.
// Layout: Src is an r32f texel buffer, Dst a float SSBO, both bound whole.
// Tile: RUN consecutive elements of the innermost axis per invocation (4 when dims5 is a multiple of
// 4, so the index math is shared by 4 elements), over a 3D grid: x walks the two innermost axes
// (i4 * dims5 / RUN + i5 / RUN), y is i3 and z the three outer axes ((i0 * dims1 + i1) * dims2 + i2),
// so the index math is three divmod_small per invocation, not a divide per axis; the host keeps x and
// z below DIVMOD_SMALL_LIMIT and y, z within the device's group counts. Bounds: x is checked against
// the inner extent; source reads happen only inside srcExtent.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int RUN = 1;

layout(binding = 0, r32f) uniform readonly imageBuffer Src;
layout(binding = 1) writeonly buffer Dst { float D[]; };

layout(push_constant) uniform Push {
    int dims[6];
    int srcExtent[6];
    int srcStride[6];
    int dstStride[6];
    int srcOffset;
    int dstOffset;
} p;

void main() {
    uint x = gl_GlobalInvocationID.x;
    int runs = p.dims[5] / RUN;
    if (x >= uint(p.dims[4] * runs))
        return;
    uvec2 inner = divmod_small(x, uint(runs));
    uvec2 outer = divmod_small(gl_GlobalInvocationID.z, uint(p.dims[2]));
    uvec2 lead = divmod_small(outer.x, uint(p.dims[1]));
    int index[6] = int[6](int(lead.x), int(lead.y), int(outer.y), int(gl_GlobalInvocationID.y), int(inner.x), int(inner.y) * RUN);
    int src = p.srcOffset;
    int dst = p.dstOffset;
    bool inside = true;
    for (int k = 0; k < 5; k++) {
        inside = inside && index[k] < p.srcExtent[k];
        src += index[k] * p.srcStride[k];
        dst += index[k] * p.dstStride[k];
    }
    for (int j = 0; j < RUN; j++) {
        int i5 = index[5] + j;
        D[dst + i5 * p.dstStride[5]] = inside && i5 < p.srcExtent[5] ? imageLoad(Src, src + i5 * p.srcStride[5]).x : 0.0;
    }
}
