// Closing inherited file descriptors.
#pragma once

#include <vector>

namespace orun::sys {

// Closes every fd >= `from` except those in `keep` (negative entries are
// ignored): close_range over the gaps, falling back to a /proc/self/fd walk.
void close_fds_except(int from, std::vector<int> keep);

// Opens /dev/null on whichever of fds 0, 1, 2 is closed.
void ensure_std_fds();

}  // namespace orun::sys
