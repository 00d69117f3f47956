// Options of `checkpoint` and `restore` (CRIU). Kept in the CLI until the
// commands exist; they belong in include/orun/options.hpp then.
#pragma once

#include <string>
#include <vector>

#include "orun/options.hpp"

namespace orun::cli {

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
  std::string pid_file;              // absolute
  bool no_subreaper = false;
  bool no_pivot = false;
  std::string lsm_profile;           // TYPE:NAME
  std::string lsm_mount_context;
};

}  // namespace orun::cli
