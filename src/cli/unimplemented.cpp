#include "cli/unimplemented.hpp"

#include <string>

namespace orun::cli::unimplemented {

namespace {
Result<int> not_yet(const char* cmd) { return fail(std::string(cmd) + ": not implemented yet in orun"); }
}  // namespace

Result<int> checkpoint(const GlobalOptions&, const CheckpointOptions&) { return not_yet("checkpoint"); }
Result<int> restore(const GlobalOptions&, const RestoreOptions&) { return not_yet("restore"); }
Result<int> events(const GlobalOptions&, const EventsOptions&) { return not_yet("events"); }
Result<int> exec(const GlobalOptions&, const ExecOptions&) { return not_yet("exec"); }
Result<int> pause(const GlobalOptions&, const IdOptions&) { return not_yet("pause"); }
Result<int> resume(const GlobalOptions&, const IdOptions&) { return not_yet("resume"); }
Result<int> ps(const GlobalOptions&, const PsOptions&) { return not_yet("ps"); }
Result<int> update(const GlobalOptions&, const UpdateOptions&) { return not_yet("update"); }
Result<int> init(const GlobalOptions&) { return not_yet("init"); }

}  // namespace orun::cli::unimplemented
