// Flag and argument texts used by more than one command.
#pragma once

#include "cli/flags.hpp"

namespace orun::cli::texts {

inline const FlagInfo kBundle{"bundle,b", "path to the root of the bundle directory, defaults to the current directory"};
inline const FlagInfo kConsoleSocket{
    "console-socket",
    "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the "
    "console's pseudoterminal"};
inline const FlagInfo kPidFile{"pid-file", "specify the file to write the process id to"};
inline const FlagInfo kNoPivot{
    "no-pivot",
    "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on "
    "top of a ramdisk"};
inline const FlagInfo kNoNewKeyring{
    "no-new-keyring",
    "do not create a new session keyring for the container.  This will cause the container to inherit the "
    "calling processes session key"};
inline const FlagInfo kPreserveFds{
    "preserve-fds", "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"};
inline const FlagInfo kDetach{"detach,d", "detach from the container's process"};
inline const FlagInfo kNoSubreaper{"no-subreaper",
                                   "disable the use of the subreaper used to reap reparented processes"};
inline const FlagInfo kFormat{"format,f", "select one of: table or json", "table"};

// The argument text of commands that take one existing container.
inline constexpr const char* kExistingId = R"(<container-id>

"<container-id>" is the name of the container instance.)";

// ... and of those that make a new one.
inline constexpr const char* kNewId = R"(<container-id>

"<container-id>" is the name you give to the new container instance; no other
container on this host may already use it.)";

}  // namespace orun::cli::texts
