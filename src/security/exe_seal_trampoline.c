/* main() of orun-exec-trampoline, the sealed clone of the sanitizer build
 * (ORUN_SANITIZE in CMakeLists.txt, docs/sanitizers.md). The container init
 * execs it with the marker argv and its entry (exe_seal_entry.c) execs the
 * payload before main is reached; started any other way it only says what
 * it is. */

#include <unistd.h>

int main(void) {
  static const char msg[] = "orun-exec-trampoline: the sanitizer build's sealed exec trampoline\n";
  if (write(2, msg, sizeof(msg) - 1) < 0) return 1;
  return 1;
}
