#version 450
// Zeroes a count tensor before atomic appends or running sums (a compute write rather than a
// transfer fill, so its ordering against earlier compute reads of aliased memory is an ordinary
// compute-to-compute barrier). Layout: Count (1) uint32. Tile: one invocation.
layout(local_size_x = 1, local_size_y = 1, local_size_z = 1) in;

layout(binding = 0) writeonly buffer Count { uint count; };

void main() {
    count = 0u;
}
