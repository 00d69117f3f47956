// `orun diagnose ID`: one container as a debugging script would collect it,
// read-only (no freezing, no fifo, no signal), so it is safe while the
// container runs. One JSON model, rendered as JSON or as text.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "container/state.hpp"

namespace orun::diagnose {

// Everything known about the container recorded in `s` under `root`.
nlohmann::ordered_json inspect_container(const std::string& root, const container::State& s);

// Resource limits and usage of the container's cgroups (memory, pids, cpu),
// its OOM counters, and whether it is frozen.
nlohmann::ordered_json inspect_cgroups(const std::map<std::string, std::string>& paths);

// The last `n` lines of `path` (reads at most its last 64 KiB).
std::vector<std::string> tail_lines(const std::string& path, size_t n);

// Pure: the text a person reads, from inspect_container's model.
std::string render_container_text(const nlohmann::ordered_json& report);
// 10485760 -> "10.0 MiB"; below 1 KiB plain bytes ("512 B").
std::string human_bytes(uint64_t n);

}  // namespace orun::diagnose
