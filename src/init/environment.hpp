// The container process environment (runc's prepareEnv). Nothing of the
// runtime's own environment is inherited: the process gets exactly
// process.env, validated and deduplicated, plus HOME.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"

namespace orun::init {

// Validates and deduplicates. Every entry must be NAME=VALUE:
//   "invalid environment variable: missing '='"
//   "invalid environment variable: name cannot be empty"
//   "invalid environment variable \"NAME\": contains nul byte (\x00)"
// Duplicates: the last value of a name wins and the entries keep the order of
// each name's last occurrence ({A=1,B=2,A=3} -> {B=2,A=3}). An empty HOME
// ("HOME=") is dropped so add_home_if_missing replaces it. Entries are checked
// from the last to the first, as runc does, so with several bad entries the
// same one is reported.
Result<std::vector<std::string>> prepare_env(const std::vector<std::string>& env);

// Appends HOME=<home of uid in the container's /etc/passwd> ("/" when the file
// or entry is missing) unless a non-empty HOME is present; an empty HOME entry
// is removed first. Note: runc adds no HOME at all when process.env is absent
// from config.json (nil), only when it is present; callers that can tell the
// two apart should skip this call for an absent env.
void add_home_if_missing(std::vector<std::string>& env, uid_t uid,
                         const std::string& passwd_path = "/etc/passwd");

// Finds NAME in a NAME=VALUE list (the last match wins); stores its value in
// *value when given.
bool env_lookup(const std::vector<std::string>& env, std::string_view name, std::string* value);

}  // namespace orun::init
