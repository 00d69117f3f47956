// `init`: internal, not listed in the help. runc re-executes itself as
// `runc init` to become the container's first process; orun forks instead,
// so the command only exists to keep the name reserved and recognisable.
#include "cli/command.hpp"
#include "cli/unimplemented.hpp"

namespace orun::cli {

CommandSpec init_command() {
  return {
      .name = "init",
      .usage = "initialize the namespaces and launch the process (do not call it outside of {name})",
      .hidden = true,
      .define =
          [](CLI::App&) -> Action {
            return [](const Invocation& inv) -> Result<int> { return unimplemented::init(inv.global); };
          },
  };
}

}  // namespace orun::cli
