// Value conversions the cgroup drivers share (runc's, bit for bit): the
// cgroupfs v2 driver writes them to files, the systemd driver sends them as
// unit properties (CPUWeight, MemorySwapMax, IOWeight).
#pragma once

#include <cstdint>

#include "orun/result.hpp"

namespace orun::cgroups {

// cpu.shares (v1, 2..262144) -> cpu.weight (v2, 1..10000); 0 stays 0 (unset).
uint64_t cpu_shares_to_weight(uint64_t shares);
// memory.swap (memory+swap, v1) -> memory.swap.max (v2): -1 max, 0 unset.
Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t memory);
// blkio.weight (10..1000) -> io.weight (1..10000); 0 stays 0.
uint64_t blkio_weight_to_io_weight(uint16_t weight);

}  // namespace orun::cgroups
