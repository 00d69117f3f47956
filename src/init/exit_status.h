/* The exit status of a container process that fails in orun's code after the
 * runtime stopped listening: its execve (in the sealed clone's trampoline,
 * security/exe_seal_entry.c), a startContainer hook, the exec fifo. `run`,
 * `exec` and the engines report it as the container's exit status.
 *
 * runc 1.1 exits 1 there (init.go: os.Exit(1)), as Debian 12's runc does;
 * runc 1.2 and later exit 255 since the CVE-2024-21626 fix
 * (libcontainer/init_linux.go Init). orun keeps 1.1's status.
 *
 * Plain C: the trampoline runs before libc and includes this too. */
#ifndef ORUN_INIT_EXIT_STATUS_H
#define ORUN_INIT_EXIT_STATUS_H

#define ORUN_INIT_FAILED 1

#endif
