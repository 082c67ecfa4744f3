// Shared index helpers for engine and plugin compute shaders.
#ifndef ENGINE_INDEX_GLSL
#define ENGINE_INDEX_GLSL

// Number of blocks of size b that cover n items.
uint ceil_div(uint n, uint b) { return (n + b - 1u) / b; }

// Flat invocation index over a 2D dispatch grid whose x dimension holds gl_NumWorkGroups.x groups.
// A macro, not a function: this file is included before the shader declares its local size, and a
// function compiled here would see the default gl_WorkGroupSize of 1 and fold it in.
#define flat_invocation() (gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x + gl_GlobalInvocationID.x)

#endif
