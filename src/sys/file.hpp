// Whole-file reads and atomic replacement, for the runtime's own small files
// (state.json, the create record, the exit record).
#pragma once

#include <string>

#include "orun/result.hpp"

namespace orun::sys {

// The whole file, read with read(2): unlike an ifstream it fails cleanly
// (EISDIR, EACCES) instead of throwing. "open PATH: ..." or "read PATH: ..." on error; a missing
// file keeps ENOENT so callers can tell it apart.
Result<std::string> read_file(const std::string& path);

// Replaces DIR/NAME with `data` atomically: a temporary file in DIR, written
// in full, then rename(2), so a reader (or a command killed half-way) sees
// the old file or the whole new one, never a part. `what` names the file in
// errors ("create temporary state file in DIR", "rename state file").
// No fsync: this guards against a killed process, not a power loss (the
// state root is a tmpfs on a normal host).
Result<void> write_file_atomic(const std::string& dir, const std::string& name, const std::string& data,
                               const std::string& what);

}  // namespace orun::sys
