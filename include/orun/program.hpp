// The name orun answers to, in one place.
//
// Invoked as `runc` (a copy, a symlink, or the Debian package's `runc`
// alternative) every user-visible text keeps runc's words, because callers
// and runc's own test suite grep them: "runc version", "runc - Open Container
// Initiative runtime", "lists containers started by runc", "cannot allocate
// tty if runc will detach ...". Under any other name the same texts say orun.
//
// Texts that name the runtime are written with two tokens and expanded here:
//   {name}  "runc" or "orun" (the runtime's name)
//   {prog}  basename(argv[0]), as urfave's help prints it ("USAGE: orun-dev run")
//
// The default state root is /run/orun under either name ($XDG_RUNTIME_DIR/orun
// for rootless): orun's state.json is its own format, so it never reads the
// containers a real runc left in /run/runc.
#pragma once

#include <string>
#include <string_view>

namespace orun {

// "runc" when basename(argv0) is exactly "runc", else "orun".
std::string program_name(std::string_view argv0);
// basename(argv0); "orun" when that is empty.
std::string invoked_name(std::string_view argv0);
// `text` with {name} and {prog} expanded for argv0.
std::string expand_names(std::string_view text, std::string_view argv0);

// The running process's argv[0], recorded by the CLI before any command runs
// (a forked container init inherits it), for texts produced far from the CLI
// (container errors, seccomp, warnings). "orun" until set.
void set_invocation(std::string_view argv0);
std::string program_name();
// `text` with {name} and {prog} expanded for the recorded argv[0].
std::string named(std::string_view text);

}  // namespace orun
