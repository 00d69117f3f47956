// Hooks into the logger's process-wide state for unit tests only.
#pragma once

namespace orun::log {

// Back to the defaults: text lines on stderr, info level, --log closed.
void reset_for_tests();

}  // namespace orun::log
