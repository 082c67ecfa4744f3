// Index math for channels-last activations: a tensor (N, T, H, W, C4 texels) of vec4 channels.
#ifndef ENGINE_TENSOR5_GLSL
#define ENGINE_TENSOR5_GLSL

// Splits a flat pixel index over (N, T, H, W) into (n, t, h, w).
uvec4 pixel_coords(uint m, uint T, uint H, uint W) {
    uint w = m % W;
    m /= W;
    uint h = m % H;
    m /= H;
    uint t = m % T;
    return uvec4(m / T, t, h, w);
}

// Row tile index of a dispatch whose y dimension overflows into z (y * z groups of row tiles).
uint row_tile() {
    return gl_WorkGroupID.y + gl_WorkGroupID.z * gl_NumWorkGroups.y;
}

#endif
