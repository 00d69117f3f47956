// `update <id>`: change a running container's cgroup limits.
#include <memory>

#include "cli/command.hpp"
#include "orun/commands.hpp"
#include "cli/flags.hpp"
#include "cli/unimplemented.hpp"

namespace orun::cli {

namespace {

constexpr const char* kResourcesUsage = R"(path to the file containing the resources to update or '-' to read from the standard input

The document is an OCI "linux.resources" object; leave out what should stay
as it is. For example:

{
  "memory": {
    "limit": 0,
    "reservation": 0,
    "swap": 0,
    "checkBeforeUpdate": true
  },
  "cpu": {
    "shares": 0,
    "quota": 0,
    "burst": 0,
    "period": 0,
    "realtimeRuntime": 0,
    "realtimePeriod": 0,
    "cpus": "",
    "mems": "",
    "idle": 0
  },
  "blockIO": {
    "weight": 0
  }
}

Note: when the resources come from a file or the standard input, every
other option is ignored.
)";

}  // namespace

CommandSpec update_command() {
  return {
      .name = "update",
      .usage = "update container resource constraints",
      .args_usage = "<container-id>",
      .define =
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<UpdateOptions>();
            add_string(app, {"resources,r", kResourcesUsage}, o->resources);
            add_int_text(app, {"blkio-weight", "Specifies per cgroup weight, range is from 10 to 1000"},
                         o->blkio_weight);
            add_string(app, {"cpu-period", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
                       o->cpu_period);
            add_string(app, {"cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
                       o->cpu_quota);
            add_string(app,
                       {"cpu-burst",
                        "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a "
                        "given period"},
                       o->cpu_burst);
            add_string(app, {"cpu-share", "CPU shares (relative weight vs. other containers)"}, o->cpu_share);
            add_string(app,
                       {"cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
                       o->cpu_rt_period);
            add_string(app,
                       {"cpu-rt-runtime", "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
                       o->cpu_rt_runtime);
            add_string(app, {"cpuset-cpus", "CPU(s) to use"}, o->cpuset_cpus);
            add_string(app, {"cpuset-mems", "Memory node(s) to use"}, o->cpuset_mems);
            add_string(app, {"kernel-memory", "(obsoleted; do not use)", "", true}, o->kernel_memory);
            add_string(app, {"kernel-memory-tcp", "(obsoleted; do not use)", "", true}, o->kernel_memory_tcp);
            add_string(app, {"memory", "Memory limit (in bytes)"}, o->memory);
            add_string(app, {"cpu-idle", "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
                       o->cpu_idle);
            add_string(app, {"memory-reservation", "Memory reservation or soft_limit (in bytes)"},
                       o->memory_reservation);
            add_string(app, {"memory-swap", "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
                       o->memory_swap);
            add_int_text(app, {"pids-limit", "Maximum number of pids allowed in the container"}, o->pids_limit);
            add_string(app, {"l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema"}, o->l3_cache_schema);
            add_string(app, {"mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema"},
                       o->mem_bw_schema);
            return [o](const Invocation& inv) -> Result<int> {
              ORUN_TRY_VOID(check_args(inv, 1, ArgCount::exact));
              o->id = inv.args[0];
              return commands::update(inv.global, *o);
            };
          },
  };
}

}  // namespace orun::cli
