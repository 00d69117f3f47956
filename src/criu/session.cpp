#include "criu/session.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "orun/log.hpp"

namespace orun::criu {

Result<int> version(const std::string& binary) {
  Request r;
  r.type = ReqType::version;
  auto resp = ask(binary, r);
  if (!resp) return std::unexpected(std::move(resp.error()).context("CRIU version check failed"));
  if (!resp->success || resp->version == 0)
    return fail("CRIU version check failed: criu failed: type " + std::string(to_string(resp->type)) + " errno " +
                std::to_string(resp->cr_errno));
  return resp->version;
}

Result<void> require_version(int have, int min) {
  if (have < min) return fail("CRIU version " + std::to_string(have) + " must be " + std::to_string(min) + " or higher");
  return {};
}

Result<void> check_features(const std::string& binary, bool mem_track, bool lazy_pages) {
  Request r;
  r.type = ReqType::feature_check;
  if (mem_track) r.want_mem_track = true;
  if (lazy_pages) r.want_lazy_pages = true;
  auto resp = ask(binary, r);
  if (!resp) return std::unexpected(std::move(resp.error()).context("CRIU feature check failed"));
  if (!resp->success)
    return fail("CRIU feature check failed: criu failed: type " + std::string(to_string(resp->type)) + " errno " +
                std::to_string(resp->cr_errno));
  std::string missing;
  auto add = [&](const char* name) { missing += (missing.empty() ? "" : " ") + std::string(name); };
  if (mem_track && resp->mem_track && !*resp->mem_track) add("MemTrack");
  if (lazy_pages && resp->lazy_pages && !*resp->lazy_pages) add("LazyPages");
  if (!missing.empty()) return fail("criu is missing features: [" + missing + "]");
  return {};
}

Result<void> run(Job& job) {
  auto swrk = ORUN_TRY(Swrk::start(job.binary, job.stdio, job.extra_fds));
  if (job.on_started) ORUN_TRY_VOID(job.on_started(swrk.pid(), job.request));
  log::debug(std::string("Using CRIU in ") + to_string(job.request.type) + " mode");
  if (job.request.opts && log::debug_enabled())
    for (auto& line : describe(*job.request.opts)) log::debug("CRIU option " + line);
  ORUN_TRY_VOID(swrk.send(job.request));
  std::optional<int> status_fd = job.request.opts ? job.request.opts->status_fd : std::nullopt;
  for (;;) {
    auto resp = swrk.recv();
    // CRIU has reopened the status fd by its first answer: ours must not
    // keep whoever waits on it waiting.
    if (status_fd) {
      close(*status_fd);
      status_fd.reset();
    }
    if (!resp) return std::unexpected(resp.error());
    if (!resp->success)
      return fail("criu failed: type " + std::string(to_string(resp->type)) + " errno " + std::to_string(resp->cr_errno));
    if (resp->type == ReqType::notify) {
      log::debug("notify: " + resp->notify_script);
      if (job.on_notify) ORUN_TRY_VOID(job.on_notify(*resp));
      Request ack;
      ack.type = ReqType::notify;
      ack.notify_success = true;
      ORUN_TRY_VOID(swrk.send(ack));
      continue;
    }
    if (resp->type != ReqType::restore && resp->type != ReqType::dump && resp->type != ReqType::pre_dump &&
        resp->type != ReqType::feature_check)
      return fail(std::string("unable to parse the response ") + to_string(resp->type));
    break;
  }
  int st = ORUN_TRY(swrk.wait());
  // A pre-dump's criu waits for more requests and ends without success.
  bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  if (!ok && job.request.type != ReqType::pre_dump) return fail("criu failed: " + wait_status_text(st));
  return {};
}

}  // namespace orun::criu
