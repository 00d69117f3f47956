// Finding process.args[0] the way runc does (Go's os/exec.LookPath, run in
// the container after the user switch, with the container env's PATH). The
// error texts are Go's, because Docker maps their substrings to exit codes
// 127 ("executable file not found", "no such file or directory") and 126
// ("permission denied", "is a directory").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orun/result.hpp"

namespace orun::init {

// A name containing '/' is checked as is (and returned unchanged). Otherwise
// every element of PATH from `env` is tried in order, an empty element
// meaning "."; PATH missing or empty finds nothing. A candidate qualifies when
// stat(2) succeeds, it is not a directory, and faccessat(X_OK, AT_EACCESS)
// allows it (falling back to any x bit when that call gives ENOSYS/EPERM).
// Errors (err is ENOENT, EACCES or EISDIR where it applies):
//   exec: "foo": executable file not found in $PATH
//   exec: "/x": stat /x: no such file or directory
//   exec: "/x": permission denied
//   exec: "/x": is a directory
//   exec: "foo": cannot run executable found relative to current directory
//     (found through a relative PATH element; Go >= 1.19's ErrDot)
Result<std::string> look_path(const std::string& file, const std::vector<std::string>& env);

// Go's filepath.Join (exposed for tests); cleaning is sys::clean_path.
std::string go_join_path(std::string_view dir, std::string_view file);

}  // namespace orun::init
