#include "cgroups/convert.hpp"

#include <cmath>
#include <string>

namespace orun::cgroups {

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // A quadratic in log2(shares) through runc's three fixed points (2→1,
  // 1024→100, 262144→10000); the same doubles as Go's math, so the same
  // result to the last digit.
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10, exponent)));
}

Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t memory) {
  if (memory == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (memory == -1) return swap;
  if (memory == 0) return fail("unable to set swap limit without memory limit");
  if (memory < 0) return fail("invalid memory value: " + std::to_string(memory));
  if (swap < memory) return fail("memory+swap limit should be >= memory limit");
  return swap - memory;
}

uint64_t blkio_weight_to_io_weight(uint16_t weight) {
  if (weight == 0) return 0;
  return 1 + (static_cast<uint64_t>(weight) - 10) * 9999 / 990;
}

}  // namespace orun::cgroups
