// `create <id>`: set up a container that waits for `start`.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

namespace {

Result<int> create(const Invocation& inv, CreateOptions& o) {
  if (!o.pid_file.empty()) o.pid_file = ORUN_TRY(absolute_path(o.pid_file));
  return commands::create(inv.global, o);
}

}  // namespace

CommandSpec create_command() {
  return {
      .name = "create",
      .usage = "create a container",
      .args_usage = texts::kNewId,
      .description = R"(The create command builds a container instance from a bundle: a directory
holding a "config.json" specification file and a root filesystem. The
container's process is set up but does not run the program named in the
spec's "args" until "{prog} start" is called.

To change what runs when the container starts, edit "args" in the spec; see
"{prog} spec --help" for more.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<CreateOptions>();
            add_string(app, texts::kBundle, o->bundle);
            add_string(app, texts::kConsoleSocket, o->console_socket);
            add_string(app,
                       {"pidfd-socket",
                        "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"},
                       o->pidfd_socket);
            add_string(app, texts::kPidFile, o->pid_file);
            add_bool(app, texts::kNoPivot, o->no_pivot);
            add_bool(app, texts::kNoNewKeyring, o->no_new_keyring);
            add_count(app, texts::kPreserveFds, o->preserve_fds);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              auto r = create(inv, *o);
              if (!r) return std::unexpected(r.error().context(program_name(inv.global.argv0) + " create failed"));
              return r;
            };
          },
  };
}

}  // namespace orun::cli
