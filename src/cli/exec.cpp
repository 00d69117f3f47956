// `exec <id> <cmd> [args...]` / `exec -p process.json <id>`: run another
// process in a container. Words after the id are the command, untouched.
#include <memory>

#include "cli/command.hpp"
#include "cli/shared_texts.hpp"
#include "cli/unimplemented.hpp"
#include "orun/commands.hpp"

namespace orun::cli {

namespace {

// runc's exec reports its own failures with exit code 255, so they cannot be
// mistaken for the exit status of the process it ran.
constexpr int kExecFailure = 255;

}  // namespace

CommandSpec exec_command() {
  return {
      .name = "exec",
      .usage = "execute new process inside the container",
      .args_usage = R"(<container-id> <command> [command options]  || -p process.json <container-id>

"<container-id>" is the name of the container instance and "<command>" the
program to run inside it. "<command>" may only be left out when "-p" gives a
process.json.

EXAMPLE:
List the processes of a container (if its image has "ps"):

       # {prog} exec <container-id> ps)",
      .skip_reorder = true,
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<ExecOptions>();
            add_string(app, texts::kConsoleSocket, o->console_socket);
            add_string(app,
                       {"pidfd-socket",
                        "path to an AF_UNIX socket which will receive a file descriptor referencing the exec process"},
                       o->pidfd_socket);
            add_string(app, {"cwd", "current working directory in the container"}, o->cwd);
            add_strings(app, {"env,e", "set environment variables"}, o->env);
            add_bool(app, {"tty,t", "allocate a pseudo-TTY"}, o->tty);
            add_string(app, {"user,u", "UID (format: <uid>[:<gid>])"}, o->user);
            add_int64s(app, {"additional-gids,g", "additional gids"}, o->additional_gids);
            add_string(app, {"process,p", "path to the process.json"}, o->process);
            add_bool(app, texts::kDetach, o->detach);
            add_string(app, texts::kPidFile, o->pid_file);
            add_string(app, {"process-label", "set the asm process label for the process commonly used with selinux"},
                       o->process_label);
            add_string(app, {"apparmor", "set the apparmor profile for the process"}, o->apparmor);
            add_bool(app, {"no-new-privs", "set the no new privileges value for the process"}, o->no_new_privs);
            add_strings(app, {"cap,c", "add a capability to the bounding set for the process"}, o->caps);
            add_count(app, texts::kPreserveFds, o->preserve_fds);
            add_strings(app,
                        {"cgroup", "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."},
                        o->cgroup);
            add_bool(app, {"ignore-paused", "allow exec in a paused container"}, o->ignore_paused);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::min));
              if (!o->pid_file.empty()) o->pid_file = ORUN_TRY(absolute_path(o->pid_file));
              o->id = inv.args[0];
              o->args.assign(inv.args.begin() + 1, inv.args.end());
              auto r = commands::exec(inv.global, *o);
              if (!r) return fatal("exec failed: " + r.error().msg, kExecFailure);
              return r;
            };
          },
  };
}

}  // namespace orun::cli
