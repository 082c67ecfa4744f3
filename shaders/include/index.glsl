// Shared index helpers for engine and plugin compute shaders.
#ifndef ENGINE_INDEX_GLSL
#define ENGINE_INDEX_GLSL

// Number of blocks of size b that cover n items.
uint ceil_div(uint n, uint b) { return (n + b - 1u) / b; }

// Flat invocation index over a 2D dispatch grid whose x dimension holds gl_NumWorkGroups.x groups.
// A macro, not a function: this file is included before the shader declares its local size, and a
// function compiled here would see the default gl_WorkGroupSize of 1 and fold it in.
#define flat_invocation() (gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x)

// Workgroup counts (x, y, 1) of an indirect dispatch covering n invocations of `local_size` on the
// flat 2D grid flat_invocation() reads: x at most 65535, the limit every Vulkan device guarantees (the
// shader cannot read the device's own limit, which the host's StridedCopy.FlatGrid uses); (0, 1, 1), a
// no-op dispatch, when n is 0.
uvec3 flat_grid(uint n, uint local_size) {
    uint groups = ceil_div(n, local_size);
    uint x = max(1u, min(groups, 65535u));
    return groups == 0u ? uvec3(0u, 1u, 1u) : uvec3(x, ceil_div(groups, x), 1u);
}

// Inputs of divmod_small must stay below this.
#define DIVMOD_SMALL_LIMIT 2097152u

// (n / d, n % d) for n < 2^21 and any d >= 1, without the integer divide lavapipe scalarises per lane.
// Why exact: n and d < 2^24 convert to float exactly (for d >= 2^24 the quotient is below 1/8 and
// truncates to 0), and Vulkan allows 2.5 ulp of error in a float divide, i.e. a relative error of at
// most 2.5 * 2^-23; times n / d < 2^21 that is under 0.63, so the truncated quotient is off by at most
// one and the single correction step below fixes it. q * d stays below n + d, so nothing overflows.
// Tested exhaustively over n < 2^21 for many d (DivmodSmallTests).
uvec2 divmod_small(uint n, uint d) {
    uint q = uint(float(n) / float(d));
    uint qd = q * d;
    if (qd > n) {
        q--;
        qd -= d;
    } else if (n - qd >= d) {
        q++;
        qd += d;
    }
    return uvec2(q, n - qd);
}

#endif
