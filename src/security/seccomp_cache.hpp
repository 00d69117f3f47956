// The compiled-program cache: <root>/.seccomp-cache/<sha256>.bpf, so a
// profile seen before (Docker's default, on every container) costs a hash
// and one read instead of a libseccomp compile. The key covers the profile
// JSON and everything else the program depends on (libseccomp version,
// kernel flag support, orun's cache format); entries are written atomically
// (temp file + rename) and checked when read.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orun::security::seccomp {

std::string sha256_hex(std::string_view data);

// The program cached under `key` in `dir`, or nullopt (missing, truncated,
// not ours).
std::optional<std::vector<sock_filter>> cache_read(const std::string& dir, const std::string& key);

// Best effort: a cache that cannot be written only costs the next compile.
void cache_write(const std::string& dir, const std::string& key, const std::vector<sock_filter>& prog);

}  // namespace orun::security::seccomp
