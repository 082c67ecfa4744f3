#version 450
// Strided copy with zero fill, the kernel of permute, slice and concat (and of the NCTHW <->
// channels-last conversions at graph inputs and dumps):
//   Dst[dstOffset + sum_k i_k * dstStride_k] = all(i_k < srcExtent_k) ? Src[srcOffset + sum_k i_k * srcStride_k] : 0
// for every index i of the output box `dims` (rank <= 6, leading unit axes). Strides and offsets are
// in elements, so any permutation, slice step or destination sub-box is one dispatch.
// Layout: Src is an r32f texel buffer, Dst a float SSBO, both bound whole.
// Tile: one element per invocation over a 2D grid (x overflowing into y). Bounds: the flat index is
// checked against the element count; source reads happen only inside srcExtent.
#include "index.glsl"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0, r32f) uniform readonly imageBuffer Src;
layout(binding = 1) writeonly buffer Dst { float D[]; };

layout(push_constant) uniform Push {
    int dims[6];
    int srcExtent[6];
    int srcStride[6];
    int dstStride[6];
    int srcOffset;
    int dstOffset;
    uint count;
} p;

void main() {
    uint i = flat_invocation();
    if (i >= p.count)
        return;
    int rest = int(i);
    int src = p.srcOffset;
    int dst = p.dstOffset;
    bool inside = true;
    for (int k = 5; k >= 0; k--) {
        int index = rest % p.dims[k];
        rest /= p.dims[k];
        inside = inside && index < p.srcExtent[k];
        src += index * p.srcStride[k];
        dst += index * p.dstStride[k];
    }
    D[dst] = inside ? imageLoad(Src, src).x : 0.0;
}
