#include "fuzz_common.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace orun::fuzz {

const std::string& scratch_bundle() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/orun-fuzz-bundle-XXXXXX";
    std::string d = ::mkdtemp(tmpl) ? tmpl : "/tmp";
    ::mkdir((d + "/rootfs").c_str(), 0755);
    std::atexit([] {
      ::rmdir((scratch_bundle() + "/rootfs").c_str());
      ::rmdir(scratch_bundle().c_str());
    });
    return d;
  }();
  return dir;
}

}  // namespace orun::fuzz
