// TEMPORARY: placeholders so the tree links while the lifecycle is written.
#include "orun/commands.hpp"
namespace orun::commands {
Result<int> create(const GlobalOptions&, const CreateOptions&) { return fail("create: not implemented"); }
Result<int> run(const GlobalOptions&, const RunOptions&) { return fail("run: not implemented"); }
Result<int> start(const GlobalOptions&, const IdOptions&) { return fail("start: not implemented"); }
Result<int> state(const GlobalOptions&, const IdOptions&) { return fail("state: not implemented"); }
Result<int> list(const GlobalOptions&, const ListOptions&) { return fail("list: not implemented"); }
Result<int> kill(const GlobalOptions&, const KillOptions&) { return fail("kill: not implemented"); }
Result<int> del(const GlobalOptions&, const DeleteOptions&) { return fail("delete: not implemented"); }
}
