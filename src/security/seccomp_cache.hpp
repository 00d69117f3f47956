// The compiled-program cache, so a profile seen before (Docker's default, on
// every container) costs a hash and one read instead of a libseccomp
// compile. The key covers the profile JSON and everything else the program
// depends on (libseccomp version, kernel flag support, orun's cache format).
//
// Where: one regular file, <root>/.orun:seccomp-cache. It must not look like
// a container to anything that reads the state root: runc's `list` skips
// every non-directory, and ':' is outside the container-id charset, so no
// `state`/`delete`/`create` id can name it. (A directory there, as before,
// made runc's `list` print "load container ...: container does not exist".)
//
// Safety: the root is orun's own 0700 directory; the file is opened without
// following a symlink and used only when it is a regular file of ours (owned
// by the caller, not group/other writable); each entry carries a SHA-256 of
// its program, so damage is a miss, never a different filter. Writes build
// a new file and rename(2) it over the old one: readers see the old file or
// the whole new one.
//
// Size: at most CacheLimits entries and bytes; adding an entry evicts the
// least recently used ones. A hit marks its entry used with an in-place
// 8-byte write (no rewrite), only when it is not already the newest.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "security/sha256.hpp"

namespace orun::security::seccomp {

using security::sha256_hex;

inline constexpr const char* kCacheFileName = ".orun:seccomp-cache";

struct CacheLimits {
  size_t max_entries = 16;
  size_t max_bytes = 1u << 20;  // one profile compiles to 32 KiB at most
};

// The program cached under `key` in the cache file `path`, or nullopt
// (missing, damaged, not ours).
std::optional<std::vector<sock_filter>> cache_read(const std::string& path, const std::string& key);

// Best effort: a cache that cannot be written only costs the next compile.
void cache_write(const std::string& path, const std::string& key, const std::vector<sock_filter>& prog,
                 const CacheLimits& limits = {});

}  // namespace orun::security::seccomp
