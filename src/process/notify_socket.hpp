// NOTIFY_SOCKET (sd_notify) pass-through, as runc does it: the container
// gets /run/notify/notify.sock bind-mounted from <root>/<id>/notify, orun
// listens on it, and `start`/`run` wait for READY= before relaying
// READY and MAINPID to the host's $NOTIFY_SOCKET.
#pragma once

#include <sys/types.h>

#include <string>

#include "orun/fd.hpp"
#include "orun/result.hpp"
#include "orun/spec.hpp"

namespace orun::process {

// The host socket orun was given, or empty.
std::string host_notify_socket();

// <root>/<id>/notify: made at create; adds the mount and the env to `s`.
Result<void> prepare_notify(spec::Spec& s, const std::string& state_dir);

// Binds <state_dir>/notify/notify.sock (unixgram, 0777).
Result<UniqueFd> bind_notify(const std::string& state_dir);

// Waits for READY= from the container while `watched` lives, then relays
// READY=1 and MAINPID=<mainpid> to the host socket.
Result<void> wait_ready_and_relay(int sock, pid_t watched, pid_t mainpid);

}  // namespace orun::process
