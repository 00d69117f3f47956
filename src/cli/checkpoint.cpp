// `checkpoint <id>` and `restore <id>`: CRIU dump and restore.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

namespace {

const FlagInfo kWorkPath{"work-path", "path for saving work files and logs"};
constexpr const char* kCgroupsModeUsage = "cgroups mode: soft|full|strict|ignore (default: soft)";
constexpr const char* kEmptyNsUsage = "create a namespace, but don't restore its properties";

}  // namespace

CommandSpec checkpoint_command() {
  return {
      .name = "checkpoint",
      .usage = "checkpoint a running container",
      .args_usage = R"(<container-id>

"<container-id>" is the name of the container instance to checkpoint.)",
      .description = "The checkpoint command saves the state of a container instance to disk.",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<CheckpointOptions>();
            add_string(app, {"image-path", "path for saving criu image files"}, o->image_path);
            add_string(app, kWorkPath, o->work_path);
            add_string(app, {"parent-path", "path for previous criu image files in pre-dump"}, o->parent_path);
            add_bool(app, {"leave-running", "leave the process running after checkpointing"}, o->leave_running);
            add_bool(app, {"tcp-established", "allow open tcp connections"}, o->tcp_established);
            add_bool(app, {"tcp-skip-in-flight", "skip in-flight tcp connections"}, o->tcp_skip_in_flight);
            add_bool(app, {"link-remap", "allow one to link unlinked files back when possible"}, o->link_remap);
            add_bool(app, {"ext-unix-sk", "allow external unix sockets"}, o->ext_unix_sk);
            add_bool(app, {"shell-job", "allow shell jobs"}, o->shell_job);
            add_bool(app, {"lazy-pages", "use userfaultfd to lazily restore memory pages"}, o->lazy_pages);
            add_int(app, {"status-fd", "criu writes \\0 to this FD once lazy-pages is ready", "-1"}, o->status_fd);
            add_string(app, {"page-server", "ADDRESS:PORT of the page server"}, o->page_server);
            add_bool(app, {"file-locks", "handle file locks, for safety"}, o->file_locks);
            add_bool(app, {"pre-dump", "dump container's memory information only, leave the container running after this"},
                     o->pre_dump);
            add_string(app, {"manage-cgroups-mode", kCgroupsModeUsage}, o->manage_cgroups_mode);
            add_strings(app, {"empty-ns", kEmptyNsUsage}, o->empty_ns);
            add_bool(app, {"auto-dedup", "enable auto deduplication of memory images"}, o->auto_dedup);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              return commands::checkpoint(inv.global, *o);
            };
          },
  };
}

CommandSpec restore_command() {
  return {
      .name = "restore",
      .usage = "restore a container from a previous checkpoint",
      .args_usage = R"(<container-id>

"<container-id>" is the name of the container instance to restore.)",
      .description = R"(The restore command brings back a container instance from the state that
"{prog} checkpoint" saved.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<RestoreOptions>();
            add_string(app, texts::kConsoleSocket, o->console_socket);
            add_string(app, {"image-path", "path to criu image files for restoring"}, o->image_path);
            add_string(app, kWorkPath, o->work_path);
            add_bool(app, {"tcp-established", "allow open tcp connections"}, o->tcp_established);
            add_bool(app, {"ext-unix-sk", "allow external unix sockets"}, o->ext_unix_sk);
            add_bool(app, {"shell-job", "allow shell jobs"}, o->shell_job);
            add_bool(app, {"file-locks", "handle file locks, for safety"}, o->file_locks);
            add_string(app, {"manage-cgroups-mode", kCgroupsModeUsage}, o->manage_cgroups_mode);
            add_string(app, {"bundle,b", "path to the root of the bundle directory"}, o->bundle);
            add_bool(app, texts::kDetach, o->detach);
            add_string(app, texts::kPidFile, o->pid_file);
            add_bool(app, texts::kNoSubreaper, o->no_subreaper);
            add_bool(app, texts::kNoPivot, o->no_pivot);
            add_strings(app, {"empty-ns", kEmptyNsUsage}, o->empty_ns);
            add_bool(app, {"auto-dedup", "enable auto deduplication of memory images"}, o->auto_dedup);
            add_bool(app, {"lazy-pages", "use userfaultfd to lazily restore memory pages"}, o->lazy_pages);
            add_string(app,
                       {"lsm-profile", "Specify an LSM profile to be used during restore in the form of TYPE:NAME."},
                       o->lsm_profile);
            add_string(app, {"lsm-mount-context", "Specify an LSM mount context to be used during restore."},
                       o->lsm_mount_context);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              if (!o->pid_file.empty()) o->pid_file = ORUN_TRY(absolute_path(o->pid_file));
              o->id = inv.args[0];
              return commands::restore(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
