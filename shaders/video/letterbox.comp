#version 450
// Window pass: scales the overlay image into a buffer the size of the window's swapchain image,
// aspect kept, black bars around it, which the presenter then copies into the image.
// Layout: Image and Out are one uint per pixel (bytes B, G, R, A), rows of width / out_width words.
// Sampling: nearest; output pixel (x, y) reads image pixel ((x - x0 + 0.5) / scale, (y - y0 + 0.5) / scale)
// truncated, black outside the image. Tile: one output pixel per invocation, 8x8 groups, bounds
// checked against the output size.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;

layout(binding = 0) readonly buffer Image { uint image[]; };
layout(binding = 1) writeonly buffer Out { uint o[]; };

layout(push_constant) uniform Push {
    uint width;       // overlay image
    uint height;
    uint out_width;   // swapchain image
    uint out_height;
    int x0;           // where the scaled image's top-left corner lands in the output
    int y0;
    float scale;      // output pixels per image pixel
} p;

const uint BLACK = 0xFF000000u;

void main() {
    uint x = gl_GlobalInvocationID.x;
    uint y = gl_GlobalInvocationID.y;
    if (x >= p.out_width || y >= p.out_height)
        return;
    float fx = (float(int(x) - p.x0) + 0.5) / p.scale;
    float fy = (float(int(y) - p.y0) + 0.5) / p.scale;
    uint value = BLACK;
    if (fx >= 0.0 && fy >= 0.0 && uint(fx) < p.width && uint(fy) < p.height)
        value = image[uint(fy) * p.width + uint(fx)];
    o[y * p.out_width + x] = value;
}
