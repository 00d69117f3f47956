// The subcommands' entry points. src/cli/ parses argv into options and calls
// one of these; each returns the process exit code or an Error that the CLI
// prints once (runc's `fatal`). Commands print their own output.
#pragma once

#include "orun/options.hpp"
#include "orun/result.hpp"

namespace orun::commands {

Result<int> create(const GlobalOptions& g, const CreateOptions& o);
Result<int> run(const GlobalOptions& g, const RunOptions& o);
Result<int> start(const GlobalOptions& g, const IdOptions& o);
Result<int> state(const GlobalOptions& g, const IdOptions& o);
Result<int> list(const GlobalOptions& g, const ListOptions& o);
Result<int> kill(const GlobalOptions& g, const KillOptions& o);
Result<int> del(const GlobalOptions& g, const DeleteOptions& o);
Result<int> spec(const GlobalOptions& g, const SpecOptions& o);
Result<int> features(const GlobalOptions& g);
Result<int> exec(const GlobalOptions& g, const ExecOptions& o);
Result<int> pause(const GlobalOptions& g, const IdOptions& o);
Result<int> resume(const GlobalOptions& g, const IdOptions& o);
Result<int> update(const GlobalOptions& g, const UpdateOptions& o);
Result<int> events(const GlobalOptions& g, const EventsOptions& o);
Result<int> ps(const GlobalOptions& g, const PsOptions& o);
Result<int> checkpoint(const GlobalOptions& g, const CheckpointOptions& o);
Result<int> restore(const GlobalOptions& g, const RestoreOptions& o);

}  // namespace orun::commands
