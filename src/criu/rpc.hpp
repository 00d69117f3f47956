// CRIU's RPC as orun uses it: `criu swrk 3` started on one end of a
// SOCK_SEQPACKET socketpair, one protobuf message per packet (criu's
// rpc.proto, encoded by the protobuf-c code generated at build time; see
// CMakeLists.txt). The request is described by plain C++ values here and
// only encoded in rpc.cpp, so nothing else sees protobuf-c.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orun/fd.hpp"
#include "orun/result.hpp"

namespace orun::criu {

enum class ReqType { empty, dump, restore, check, pre_dump, page_server, notify, feature_check = 9, version = 10 };
const char* to_string(ReqType t);  // the enum's name in rpc.proto ("DUMP")

// criu_cg_mode
enum class CgMode { ignore = 0, none = 1, props = 2, soft = 3, full = 4, strict = 5, default_mode = 6 };

struct ExtMount {
  std::string key, val;
  bool operator==(const ExtMount&) const = default;
};
struct InheritFd {
  std::string key;
  int fd = -1;
  bool operator==(const InheritFd&) const = default;
};
struct JoinNs {
  std::string ns, ns_file;
  bool operator==(const JoinNs&) const = default;
};
struct CgroupRoot {
  std::string ctrl, path;
  bool operator==(const CgroupRoot&) const = default;
};

// The criu_opts fields orun sets (runc's choice of them).
struct Options {
  int images_dir_fd = -1;
  std::optional<int> work_dir_fd;
  std::optional<pid_t> pid;
  int log_level = 4;
  std::string log_file;
  std::string root;
  std::optional<std::string> config_file;
  std::optional<std::string> parent_img;
  std::optional<std::string> freeze_cgroup;
  std::optional<std::string> lsm_profile;
  std::optional<std::string> lsm_mount_context;
  std::optional<std::string> page_server_address;
  int page_server_port = 0;
  std::optional<int> status_fd;
  CgMode manage_cgroups_mode = CgMode::default_mode;
  uint32_t empty_ns = 0;
  bool leave_running = false, ext_unix_sk = false, tcp_established = false, tcp_skip_in_flight = false,
       link_remap = false, shell_job = false, file_locks = false, auto_dedup = false, lazy_pages = false,
       evasive_devices = false, rst_sibling = false, track_mem = false;
  std::vector<ExtMount> ext_mnt;
  std::vector<std::string> external;
  std::vector<InheritFd> inherit_fd;
  std::vector<JoinNs> join_ns;
  std::vector<CgroupRoot> cg_root;
  std::vector<std::string> cgroup_dump_controller;
};

struct Request {
  ReqType type = ReqType::empty;
  std::optional<Options> opts;      // dump, pre-dump, restore
  bool notify_success = false;      // the answer to a notification
  std::optional<bool> want_mem_track, want_lazy_pages;  // feature check
};

struct Response {
  ReqType type = ReqType::empty;
  bool success = false;
  int cr_errno = 0;
  std::string cr_errmsg;
  std::string notify_script;        // type notify
  pid_t notify_pid = 0;
  pid_t restore_pid = 0;
  int version = 0;                  // major*10000 + minor*100 + sublevel
  std::optional<bool> mem_track, lazy_pages;  // feature check
  UniqueFd received_fd;             // SCM_RIGHTS (orphan-pts-master)
};

// A human-readable dump of the options, one "name value" per line, for --debug.
std::vector<std::string> describe(const Options& o);

// Where `criu` is: `explicit_path` (global --criu) if given, else $PATH. The
// error is Go's exec.LookPath text, as runc's go-criu gives it.
Result<std::string> find_binary(const std::string& explicit_path);

// A running `criu swrk`. Its stdio are the given fds (-1: /dev/null) and
// `extra` become its fds 4, 5, ... (3 is the socket). Destroying a Swrk that
// was not waited for closes the socket and reaps criu.
class Swrk {
 public:
  static Result<Swrk> start(const std::string& binary, const int (&stdio)[3], const std::vector<int>& extra);
  Swrk(Swrk&&) noexcept;
  Swrk& operator=(Swrk&&) = delete;
  ~Swrk();

  pid_t pid() const { return pid_; }
  Result<void> send(const Request& r);
  Result<Response> recv();
  // Shuts down our sending side and waits for criu; returns its wait status.
  Result<int> wait();

 private:
  Swrk(pid_t pid, UniqueFd sock) : pid_(pid), sock_(std::move(sock)) {}
  pid_t pid_ = 0;
  UniqueFd sock_;
};

// One request, one answer: start criu, ask, wait for it (VERSION, FEATURE_CHECK).
Result<Response> ask(const std::string& binary, const Request& r);

// go's os.ProcessState.String() of a wait status ("exit status 1", "signal: killed").
std::string wait_status_text(int status);

}  // namespace orun::criu
