// SHA-256 (FIPS 180-4), written out here to keep the static binary free of
// a crypto library for the seccomp cache's keys and checksums.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orun::security {

std::array<uint8_t, 32> sha256(std::string_view data);
// Lower-case hex of sha256(data).
std::string sha256_hex(std::string_view data);

}  // namespace orun::security
