// The JSON side of the one model (orun/spec.hpp): config.json documents into
// Spec values and linux.resources back into JSON. Only src/spec/, the state
// store (state.json keeps the config it was created with) and tests include
// it; everything else reads the typed Spec.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "orun/resources.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::spec {

// Parsing: wrong types and malformed values give a clear error naming the
// field ("process.args: expected an array of strings").
Result<Spec> parse(const nlohmann::json& doc);
Result<Process> parse_process(const nlohmann::json& doc);

// linux.resources, or an `update --resources` document, into the typed value
// (orun/resources.hpp). Type errors name the field under `where`
// ("linux.resources.cpu.shares: expected a non-negative integer"); the
// device rules get runc's specconv errors. validate_resources checks ranges.
Result<Resources> parse_resources(const nlohmann::json& j, const std::string& where);
// Back to a linux.resources document (what parse_resources reads back the
// same): state.json after `update`.
nlohmann::json resources_to_json(const Resources& r);
// Fails naming the first string (member name or value) of `v` that holds a
// NUL byte ("<path>.unified.x contains a NUL byte"), for JSON documents read
// outside parse(): `update --resources`.
Result<void> reject_nul_bytes(const nlohmann::json& v, const std::string& path);

}  // namespace orun::spec
