/* The sealed clone's exec trampoline (CVE-2019-5736; exe_seal.hpp has the
 * whole defence).
 *
 * The container init is a fork of orun, so until its final execve its
 * /proc/self/exe is the host binary. It therefore does not execve the
 * container process itself: it execs orun's sealed clone (a read-only
 * overlayfs view of this binary, or a sealed memfd copy) as
 *     argv = { ORUN_SEAL_MARKER, path, argv[0], argv[1], ... }
 * and this code, the first to run in the new image, execve()s path. So while
 * any code of the container runs, /proc/self/exe is the sealed clone (or the
 * container's own program), never a writable handle on orun's binary.
 *
 * It runs before libc is set up: on x86_64 it is the ELF entry point
 * (-Wl,-e,orun_exe_seal_entry; see CMakeLists.txt) and makes raw syscalls,
 * so the trampoline costs one execve and nothing else runs under the
 * container's seccomp filter and rlimits. Elsewhere a first-priority
 * constructor does the same with libc.
 *
 * Started without the marker (by a user, or as the interpreter of a
 * `#!/proc/self/exe` script in a container), it returns and orun starts as
 * usual: the container then runs orun's code, from a file nothing can write
 * through, with only the rights it already had. */

#define ORUN_SEAL_MARKER "\177orun-sealed-exec"

#include <stddef.h>

#include "init/exit_status.h"

/* Go's (= runc's) lower-case texts for what execve can return. */
static const char *exec_err_text(long e) {
  switch (e) {
    case 1: return "operation not permitted";
    case 2: return "no such file or directory";
    case 5: return "input/output error";
    case 7: return "argument list too long";
    case 8: return "exec format error";
    case 12: return "cannot allocate memory";
    case 13: return "permission denied";
    case 14: return "bad address";
    case 20: return "not a directory";
    case 21: return "is a directory";
    case 22: return "invalid argument";
    case 23: return "too many open files in system";
    case 24: return "too many open files";
    case 26: return "text file busy";
    case 36: return "file name too long";
    case 38: return "function not implemented";
    case 40: return "too many levels of symbolic links";
    case 80: return "accessing a corrupted shared library";
  }
  return NULL;
}

static int has_marker(long argc, char **argv) {
  static const char marker[] = ORUN_SEAL_MARKER;
  if (argc < 3) return 0;
  for (size_t i = 0; i < sizeof(marker); i++)
    if (argv[0][i] != marker[i]) return 0;
  return 1;
}

static char *put(char *p, const char *end, const char *s) {
  while (*s && p < end) *p++ = *s++;
  return p;
}

/* "exec <path>: <reason>\n", as orun's init prints it; returns its length. */
static size_t format_exec_error(char *buf, size_t size, const char *path, long err) {
  char *end = buf + size - 1;
  char *p = put(buf, end, "exec ");
  p = put(p, end, path);
  p = put(p, end, ": ");
  const char *text = exec_err_text(err);
  if (text) {
    p = put(p, end, text);
  } else {
    char num[24];
    int n = 0;
    unsigned long v = (unsigned long)err;
    do num[n++] = (char)('0' + v % 10); while ((v /= 10) && n < 23);
    p = put(p, end, "errno ");
    while (n > 0 && p < end) *p++ = num[--n];
  }
  *p++ = '\n';
  return (size_t)(p - buf);
}

#if defined(__x86_64__)

static long sys1(long n, long a) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "memory");
  return r;
}
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

/* Called from the entry stub with the initial stack: argc, argv..., NULL,
 * envp..., NULL. No TLS yet, so no libc and no stack protector (this file
 * is built with -fno-stack-protector and without loop-to-libc-call idioms). */
__attribute__((used)) void orun_exe_seal_check(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (!has_marker(argc, argv)) return;
  char **envp = argv + argc + 1;
  long r = sys3(59 /* execve */, (long)argv[1], (long)(argv + 2), (long)envp);
  char buf[512];
  size_t n = format_exec_error(buf, sizeof(buf), argv[1], -r);
  sys3(1 /* write */, 2, (long)buf, (long)n);
  sys1(231 /* exit_group */, ORUN_INIT_FAILED);
}

/* The ELF entry: check the marker, then hand the untouched initial state
 * (%rsp, and %rdx, the atexit pointer the ABI defines) to libc's _start. */
__asm__(".text\n"
        ".globl orun_exe_seal_entry\n"
        ".type orun_exe_seal_entry,@function\n"
        "orun_exe_seal_entry:\n"
        "  mov %rsp, %rdi\n"
        "  push %rdx\n"
        "  sub $8, %rsp\n"
        "  call orun_exe_seal_check\n"
        "  add $8, %rsp\n"
        "  pop %rdx\n"
        "  jmp _start\n"
        ".size orun_exe_seal_entry, .-orun_exe_seal_entry\n");

#else

#include <errno.h>
#include <unistd.h>

/* glibc passes argc, argv and envp to ELF constructors. */
__attribute__((constructor(101))) static void orun_exe_seal_check(int argc, char **argv, char **envp) {
  if (!has_marker(argc, argv)) return;
  execve(argv[1], argv + 2, envp);
  char buf[512];
  size_t n = format_exec_error(buf, sizeof(buf), argv[1], errno);
  (void)!write(2, buf, n);
  _exit(ORUN_INIT_FAILED);
}

#endif
