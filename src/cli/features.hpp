// The document `features` prints (exposed for tests).
#pragma once

#include <nlohmann/json.hpp>

namespace orun::cli {

nlohmann::ordered_json features_document();

}  // namespace orun::cli
