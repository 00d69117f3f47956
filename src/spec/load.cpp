// Reading <bundle>/config.json.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <string>

#include "orun/fd.hpp"
#include "orun/spec_json.hpp"
#include "sys/file.hpp"

namespace orun::spec {

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// rest ("parse error at line 1, column 2: ...") is what a user needs.
std::string strip_exception_tag(std::string msg) {
  if (!msg.empty() && msg[0] == '[') {
    auto end = msg.find("] ");
    if (end != std::string::npos) msg.erase(0, end + 2);
  }
  return msg;
}

// "line 3, column 2" of byte `at`, as nlohmann names its parse errors.
std::string where(const std::string& data, size_t at) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < at && i < data.size(); ++i) {
    if (data[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

Result<Spec> load(const std::string& bundle_dir) {
  // runc names the file relative to the bundle it has chdir'd into.
  const std::string name = "config.json";
  std::string path = bundle_dir.empty() ? name : bundle_dir + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return fail("JSON specification file " + name + " not found", ENOENT);
    return fail_errno("open " + name);
  }
  std::string data = ORUN_TRY(sys::read_fd(fd.get(), name));
  return parse_text(data, name);
}

Result<Spec> parse_text(const std::string& data, const std::string& name) {
  nlohmann::json doc;
  std::istringstream in(data);
  try {
    in >> doc;
  } catch (const nlohmann::json::exception& e) {
    return fail("parse " + name + ": " + strip_exception_tag(e.what()));
  }
  // runc's json.Decoder reads one value and ignores the rest; a file with
  // more than one value is not a JSON document, and what follows is often
  // the half of an edit that was meant to be inside it: refuse it.
  in >> std::ws;
  if (!in.eof()) {
    auto at = static_cast<size_t>(in.tellg());
    return fail("parse " + name + ": unexpected data after the JSON object at " + where(data, at));
  }
  if (doc.is_null()) return fail("config cannot be null");
  return parse(doc);
}

Result<Process> load_process(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + path);
  // An unreadable file (a directory) is "invalid JSON" too, as it always was.
  auto data = sys::read_fd(fd.get(), path);
  auto doc = data ? nlohmann::json::parse(*data, nullptr, false) : nlohmann::json(nlohmann::json::value_t::discarded);
  if (doc.is_discarded()) return fail("parse " + path + ": invalid JSON");
  return parse_process(doc);
}

}  // namespace orun::spec
