// Parsed command-line options: what src/cli/ hands to the commands. Field
// names follow runc's flag names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orun/program.hpp"

namespace orun {

enum class LogFormat { text, json };

struct GlobalOptions {
  std::string argv0;          // as invoked (error prefix; orun/program.hpp)
  std::string root = "/run/orun";
  bool root_set = false;      // --root given explicitly
  std::string log;            // empty: stderr
  LogFormat log_format = LogFormat::text;
  bool debug = false;
  bool systemd_cgroup = false;
  std::string rootless = "auto";
  std::string criu;           // hidden --criu: the CRIU binary (empty: `criu` on $PATH)
};

struct CreateOptions {
  std::string id;
  std::string bundle;          // empty: cwd
  std::string console_socket;
  std::string pidfd_socket;
  std::string pid_file;        // already absolute (made so before chdir)
  bool no_pivot = false;
  bool no_new_keyring = false;
  unsigned preserve_fds = 0;
};

struct RunOptions : CreateOptions {
  bool detach = false;
  bool keep = false;
  bool no_subreaper = false;
};

struct IdOptions {             // start, state, pause, resume, events ...
  std::string id;
};

struct ListOptions {
  std::string format = "table";
  bool quiet = false;
};

struct KillOptions {
  std::string id;
  std::string signal = "SIGTERM";
  bool all = false;
};

struct DeleteOptions {
  std::string id;
  bool force = false;
};

struct SpecOptions {
  std::string bundle;
  bool rootless = false;
};

struct ExecOptions {
  std::string id;
  std::vector<std::string> args;   // command and its arguments
  std::string console_socket;
  std::string pidfd_socket;
  std::string cwd;
  std::vector<std::string> env;
  bool tty = false;
  std::string user;                // uid[:gid]
  std::vector<int64_t> additional_gids;
  std::string process;             // -p file
  bool detach = false;
  std::string pid_file;
  std::string process_label;
  std::string apparmor;
  std::optional<bool> no_new_privs;
  std::vector<std::string> caps;
  unsigned preserve_fds = 0;
  std::vector<std::string> cgroup;
  bool ignore_paused = false;
};

struct PsOptions {
  std::string id;
  std::string format = "table";
  std::vector<std::string> ps_args;
};

struct EventsOptions {
  std::string id;
  std::string interval = "5s";
  bool stats = false;
};

struct UpdateOptions {
  std::string id;
  std::string resources;           // -r FILE|-
  // Individual flags, set only when given on the command line.
  std::optional<std::string> blkio_weight, cpu_period, cpu_quota, cpu_share,
      cpu_rt_period, cpu_rt_runtime, cpuset_cpus, cpuset_mems, cpu_burst,
      cpu_idle, memory, memory_reservation, memory_swap, pids_limit,
      l3_cache_schema, mem_bw_schema, kernel_memory, kernel_memory_tcp;
};

// checkpoint and restore (CRIU).
struct CriuCommonOptions {
  std::string id;
  std::string image_path;
  std::string work_path;
  bool tcp_established = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  bool file_locks = false;
  bool lazy_pages = false;
  bool auto_dedup = false;
  std::string manage_cgroups_mode;   // soft|full|strict|ignore; empty: soft
  std::vector<std::string> empty_ns;
};

struct CheckpointOptions : CriuCommonOptions {
  std::string parent_path;
  bool leave_running = false;
  bool tcp_skip_in_flight = false;
  bool link_remap = false;
  int64_t status_fd = -1;
  std::string page_server;           // ADDRESS:PORT
  bool pre_dump = false;
};

struct RestoreOptions : CriuCommonOptions {
  std::string console_socket;
  std::string bundle;
  bool detach = false;
  std::string pid_file;              // absolute (made so before chdir)
  bool no_subreaper = false;
  bool no_pivot = false;
  std::string lsm_profile;           // TYPE:NAME
  std::string lsm_mount_context;
};

}  // namespace orun
