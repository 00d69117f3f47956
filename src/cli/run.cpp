// `run <id>`: create and start a container, by default in the foreground.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

namespace {

Result<int> run(const Invocation& inv, RunOptions& o) {
  if (!o.pid_file.empty()) o.pid_file = ORUN_TRY(absolute_path(o.pid_file));
  return commands::run(inv.global, o);
}

}  // namespace

CommandSpec run_command() {
  return {
      .name = "run",
      .usage = "create and run a container",
      .args_usage = texts::kNewId,
      .description = R"(The run command builds a container instance from a bundle (a directory
holding a "config.json" specification file and a root filesystem) and starts
it at once, as create followed by start would.

To change what the container runs, edit "args" in the spec; see
"{prog} spec --help" for more.)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<RunOptions>();
            add_string(app, texts::kBundle, o->bundle);
            add_string(app, texts::kConsoleSocket, o->console_socket);
            add_string(app,
                       {"pidfd-socket",
                        "path to an AF_UNIX socket which will receive a file descriptor referencing the init process"},
                       o->pidfd_socket);
            add_bool(app, texts::kDetach, o->detach);
            add_bool(app, {"keep", "do not delete the container after it exits"}, o->keep);
            add_string(app, texts::kPidFile, o->pid_file);
            add_bool(app, texts::kNoSubreaper, o->no_subreaper);
            add_bool(app, texts::kNoPivot, o->no_pivot);
            add_bool(app, texts::kNoNewKeyring, o->no_new_keyring);
            add_count(app, texts::kPreserveFds, o->preserve_fds);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              auto r = run(inv, *o);
              if (!r) return std::unexpected(r.error().context(program_name(inv.global.argv0) + " run failed"));
              return r;
            };
          },
  };
}

}  // namespace orun::cli
