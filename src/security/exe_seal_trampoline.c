/* The sealed exec helper (CVE-2019-5736), x86_64. NOT compiled by CMake: its
 * machine code is embedded in exe_seal_trampoline.cpp. Regenerate with
 *   bash src/security/exe_seal_trampoline.sh
 *
 * The container init (a fork of orun, so /proc/self/exe = the host binary)
 * does not execve the container process itself: it execs this helper from a
 * sealed memfd as
 *     argv = { ORUN_SEAL_MARKER, path, argv[0], argv[1], ... }
 * and the helper execve()s path. While any code of the container can run,
 * /proc/self/exe is the sealed memfd (or the payload), never orun's binary.
 * Started any other way (e.g. as the interpreter of a `#!/proc/self/exe`
 * script) it refuses and exits 127.
 *
 * No libc: raw syscalls, one write(2) for the error. */

#define ORUN_SEAL_MARKER "\177orun-sealed-exec"

static long sc1(long n, long a) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "memory");
  return r;
}
static long sc3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

static char *put(char *p, const char *end, const char *s) {
  while (*s && p < end) *p++ = *s++;
  return p;
}

/* Go's (= runc's) lower-case texts for what execve can return. */
static const char *err_text(long e) {
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
  return 0;
}

__attribute__((noreturn, used)) void orun_seal_main(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  static const char marker[] = ORUN_SEAL_MARKER;
  int ok = argc >= 3;
  for (unsigned long i = 0; ok && i < sizeof(marker); i++)
    if (argv[0][i] != marker[i]) ok = 0;
  if (!ok) {
    static const char msg[] = "orun: refusing to run the sealed exec helper directly\n";
    sc3(1, 2, (long)msg, sizeof(msg) - 1);
    sc1(231, 127);
  }
  long r = sc3(59, (long)argv[1], (long)(argv + 2), (long)envp);
  /* "exec <path>: <reason>\n", as orun's init prints it. */
  char buf[512];
  char *end = buf + sizeof(buf) - 1;
  char *p = put(buf, end, "exec ");
  p = put(p, end, argv[1]);
  p = put(p, end, ": ");
  const char *t = err_text(-r);
  if (t) {
    p = put(p, end, t);
  } else {
    char num[24];
    int n = 0;
    unsigned long v = (unsigned long)(-r);
    do num[n++] = (char)('0' + v % 10); while ((v /= 10) && n < 23);
    p = put(p, end, "errno ");
    while (n > 0 && p < end) *p++ = num[--n];
  }
  *p++ = '\n';
  sc3(1, 2, (long)buf, p - buf);
  sc1(231, 255);
  for (;;) {
  }
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call orun_seal_main\n"
        "  hlt\n");
