#include "fuzz_common.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace orun::fuzz {

namespace {
// A plain buffer, not a std::string: the atexit handler runs after static
// strings are destroyed.
char g_bundle[] = "/tmp/orun-fuzz-bundle-XXXXXX";
char g_rootfs[sizeof(g_bundle) + 8];

void remove_bundle() {
  ::rmdir(g_rootfs);
  ::rmdir(g_bundle);
}
}  // namespace

const std::string& scratch_bundle() {
  static const std::string dir = [] {
    if (!::mkdtemp(g_bundle)) return std::string("/tmp");
    std::strcpy(g_rootfs, g_bundle);
    std::strcat(g_rootfs, "/rootfs");
    ::mkdir(g_rootfs, 0755);
    std::atexit(remove_bundle);
    return std::string(g_bundle);
  }();
  return dir;
}

}  // namespace orun::fuzz
