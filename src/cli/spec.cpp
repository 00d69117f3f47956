// `spec`: write a starter config.json into the bundle (or the cwd).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/flags.hpp"
#include "sys/file.hpp"
#include "orun/commands.hpp"
#include "orun/fd.hpp"
#include "orun/spec.hpp"

namespace orun {

namespace {

constexpr const char* kConfigName = "config.json";

bool cgroup_v2_unified() {
  struct statfs st{};
  return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

}  // namespace

Result<int> commands::spec(const GlobalOptions&, const SpecOptions& o) {
  // runc chdirs into the bundle; a directory fd gives the same lookups
  // without changing this process's cwd.
  UniqueFd dir(::open(o.bundle.empty() ? "." : o.bundle.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return fail_errno("chdir " + o.bundle);

  struct stat st{};
  if (::fstatat(dir.get(), kConfigName, &st, 0) == 0)
    return fail(std::string("File ") + kConfigName + " exists. Remove it first");
  if (errno != ENOENT) return fail_errno(std::string("stat ") + kConfigName);

  const std::string text = spec::example_config(o.rootless, cgroup_v2_unified());
  // 0666 minus the umask, as os.WriteFile does.
  UniqueFd file(::openat(dir.get(), kConfigName, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (!file) return fail_errno(std::string("open ") + kConfigName);
  ORUN_TRY_VOID(sys::write_all(file.get(), text, kConfigName));
  return 0;
}

namespace cli {

CommandSpec spec_command() {
  return {
      .name = "spec",
      .usage = "create a new specification file",
      .description = R"(The spec command writes a new specification file named "config.json" for
a bundle.

The file is only a starting point and usually needs editing. For example its
"args" start the program "sh", which exists in busybox or ubuntu images but
not in every image.

EXAMPLE:
  To run docker's hello-world image, make a bundle from it, create the spec
and change "args" from "sh" to "/hello", then run it as "container1":

    mkdir hello
    cd hello
    docker pull hello-world
    docker export $(docker create hello-world) > hello-world.tar
    mkdir rootfs
    tar -C rootfs -xf hello-world.tar
    {prog} spec
    sed -i 's;"sh";"/hello";' config.json
    {prog} run container1

"container1" is the name of this container instance; it must be unique on
the host.

The "generate" command of oci-runtime-tool (see
https://github.com/opencontainers/runtime-tools) can also build a spec with
many options.

Starting containers normally needs root privileges (for example through
"sudo {prog} run container1"). Without them a rootless container can still
be run: pass --rootless to write a spec suited to it. This is not needed when
running as root inside a user namespace made by an unprivileged user.
)",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<SpecOptions>();
            add_string(app, {"bundle,b", "path to the root of the bundle directory"}, o->bundle);
            add_bool(app, {"rootless", "generate a configuration for a rootless container"}, o->rootless);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 0, ArgCount::exact));
              return commands::spec(inv.global, *o);
            };
          },
  };
}

}  // namespace cli

}  // namespace orun
