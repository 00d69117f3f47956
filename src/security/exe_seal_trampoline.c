/* main() of orun-exec-trampoline, the sealed clone of the sanitizer build
 * (ORUN_SANITIZE in CMakeLists.txt, docs/sanitizers.md). The container init
 * execs it with the marker argv and its entry (exe_seal_entry.c) execs the
 * payload before main is reached. Started any other way (as the interpreter
 * of a `#!/proc/self/exe` script in the container, where orun's own binary
 * would run) it answers --version as orun does and otherwise says what it is. */

#include <string.h>
#include <unistd.h>

static int say(int fd, const char *s) { return write(fd, s, strlen(s)) < 0; }

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
      say(1, "orun-exec-trampoline version " ORUN_VERSION " (the sanitizer build's sealed clone)\n");
      return 0;
    }
  say(2, "orun-exec-trampoline: the sanitizer build's sealed exec trampoline\n");
  return 1;
}
