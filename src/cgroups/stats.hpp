// Resource usage of a container's cgroup in runc's `events` schema
// (types.Stats: cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt,
// network_interfaces, with Go's omitempty/omitzero applied).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "orun/result.hpp"

namespace orun::cgroups {

// orun's own data.memory.oom_events: in the one-shot `events --stats` only.
// In the stream an OOM is its own {"type":"oom"} event, and followers (runc's
// own events.bats among them) watch the stream for the word "oom".
enum class OomCounters { include, omit };

// The `data` object of a {"type":"stats"} event.
Result<nlohmann::ordered_json> collect_stats(const std::map<std::string, std::string>& paths,
                                             OomCounters oom_counters);

// Pure parsers, exposed for the unit tests.
std::map<std::string, uint64_t> parse_flat_keyed(const std::string& content);  // "key value" lines
std::vector<uint16_t> parse_cpuset_list(const std::string& s);                 // "0-2,4" -> 0,1,2,4
nlohmann::ordered_json parse_psi(const std::string& content);                   // cpu.pressure & co
// v1 blkio "8:0 Read 4096" lines (Total lines dropped).
nlohmann::ordered_json parse_blkio_v1(const std::string& content);
// v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." -> (service bytes, serviced).
std::pair<nlohmann::ordered_json, nlohmann::ordered_json> parse_io_stat(const std::string& content);
// "hugepages-2048kB" -> "2MB" (the cgroup file name's size).
std::string hugepage_size_name(const std::string& dir_name);

}  // namespace orun::cgroups
