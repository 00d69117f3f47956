// Pure readers of what /proc/<pid>/status and friends say, for `diagnose`
// and `check` (unit-tested without a process to look at).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orun::diagnose {

// "Name:\tsh\nCapEff:\t00000000a80425fb\n" -> {"Name":"sh","CapEff":"00000000a80425fb"}.
std::map<std::string, std::string> parse_status(const std::string& content);

// A CapXxx field ("00000000a80425fb") as a mask; nullopt when malformed.
std::optional<uint64_t> parse_cap_mask(const std::string& hex);

// The capabilities set in `mask`, by name in number order ("CAP_CHOWN" ...);
// a bit libcap has no name for shows as "CAP_<n>".
std::vector<std::string> cap_names(uint64_t mask);

// The capabilities 0..last_cap that `mask` lacks, by name.
std::vector<std::string> missing_caps(uint64_t mask, int last_cap);

// "Seccomp:" 0, 1, 2 -> "disabled", "strict", "filter".
std::string seccomp_mode_name(const std::string& value);

// uid_map / gid_map lines "0 1000 1" -> "0 1000 1" each, whitespace collapsed.
std::vector<std::string> parse_id_map(const std::string& content);

// "a b c" joined with `sep`.
std::string join(const std::vector<std::string>& words, const std::string& sep = " ");

}  // namespace orun::diagnose
