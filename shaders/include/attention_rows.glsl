// Row addressing shared by the non-local attention kernels.
#ifndef ENGINE_ATTENTION_ROWS_GLSL
#define ENGINE_ATTENTION_ROWS_GLSL

// Attention runs per segment: a set of queries that attend to the same set of keys (one clip, one
// frame, one group of frames, or one spatial position across time). Query i of segment s sits at
// tensor row (s / per) * outer + s % per + i * step, and key j at the same with the key tensor's
// outer stride: for time-only attention per = step = H * W, otherwise per = step = 1.
uint segment_base(uint s, uint per, uint outer) {
    return (s / per) * outer + s % per;
}

uint segment_row(uint s, uint index, uint per, uint outer, uint step) {
    return segment_base(s, per, outer) + index * step;
}

#endif
