// Helpers shared by the detection kernels: sort keys and box overlap.
#ifndef ENGINE_DETECTION_GLSL
#define ENGINE_DETECTION_GLSL

// A sort key (primary, index) that orders ascending as score descending, then index ascending (lower
// index wins ties, as torch's stable sort). primary is the float's bits mapped to an order-preserving
// uint, inverted so larger scores come first; -0 counts as +0, as torch compares them equal. Padding
// keys are (0xffffffff, 0xffffffff): last.
uvec2 score_key(float score, uint index) {
    uint u = floatBitsToUint(score);
    if ((u & 0x7fffffffu) == 0u)
        u = 0u;
    u = (u & 0x80000000u) != 0u ? ~u : u | 0x80000000u;
    return uvec2(~u, index);
}

const uvec2 PAD_KEY = uvec2(0xffffffffu, 0xffffffffu);

bool key_greater(uvec2 a, uvec2 b) {
    return a.x > b.x || (a.x == b.x && a.y > b.y);
}

// IoU as torchvision's nms kernels compute it: no +1 in widths, fp32, unfused.
float box_iou(vec4 a, vec4 b) {
    precise float areaA = (a.z - a.x) * (a.w - a.y);
    precise float areaB = (b.z - b.x) * (b.w - b.y);
    precise float w = max(0.0, min(a.z, b.z) - max(a.x, b.x));
    precise float h = max(0.0, min(a.w, b.w) - max(a.y, b.y));
    precise float inter = w * h;
    precise float uni = areaA + areaB - inter;
    return inter / uni;
}

#endif
