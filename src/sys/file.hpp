// The small file helpers, once: whole-file reads, full writes, atomic
// replacement (state.json, the create record, the exit record), mkdir -p.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "orun/result.hpp"

namespace orun::sys {

// The whole file, read with read(2): unlike an ifstream it fails cleanly
// (EISDIR, EACCES) instead of throwing. "open PATH: ..." or "read PATH: ..." on error; a missing
// file keeps ENOENT so callers can tell it apart.
Result<std::string> read_file(const std::string& path);
// The rest of `fd`; "read NAME: ..." on error.
Result<std::string> read_fd(int fd, const std::string& name);
// read_file's text, or "" when the file cannot be read (probes, reports).
std::string read_file_or_empty(const std::string& path);

// Writes all of `data` (retrying short writes and EINTR); "write WHAT: ...".
Result<void> write_all(int fd, std::string_view data, const std::string& what);

// mkdir -p: makes the missing components with `mode` (under the umask);
// existing directories are left as they are. "mkdir PATH: not a directory"
// when a component is a file.
Result<void> mkdir_all(const std::string& path, mode_t mode);

// Replaces DIR/NAME with `data` atomically: a temporary file in DIR, written
// in full, then rename(2), so a reader (or a command killed half-way) sees
// the old file or the whole new one, never a part. `what` names the file in
// errors ("create temporary state file in DIR", "rename state file").
// No fsync: this guards against a killed process, not a power loss (the
// state root is a tmpfs on a normal host).
Result<void> write_file_atomic(const std::string& dir, const std::string& name, const std::string& data,
                               const std::string& what);

}  // namespace orun::sys
