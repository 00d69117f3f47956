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

/* argv = { marker, path, log fd, 'j'|'t', log prefix, log suffix, args... } */
#define ORUN_SEAL_FIXED_ARGS 6

static int has_marker(long argc, char **argv) {
  static const char marker[] = ORUN_SEAL_MARKER;
  if (argc < ORUN_SEAL_FIXED_ARGS + 1) return 0;
  for (size_t i = 0; i < sizeof(marker); i++)
    if (argv[0][i] != marker[i]) return 0;
  return 1;
}

static char *put(char *p, const char *end, const char *s) {
  while (*s && p < end) *p++ = *s++;
  return p;
}

static long parse_fd(const char *s) {
  long v = 0;
  if (*s < '0' || *s > '9') return -1;
  for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (*s - '0');
  return *s ? -1 : v;
}

/* The few syscalls below, one definition per build (raw or libc). */
static long os_openat(const char *path);
static long os_read(long fd, char *buf, long n);
static long os_close(long fd);
static long os_write(long fd, const char *buf, long n);
static long os_cloexec(long fd);

/* The interpreter an existing file names: a script's `#!` line or an ELF's
 * PT_INTERP, read from its first 1 KiB (openat, read, close: the syscalls
 * the init already makes after the seccomp filter). Empty when none. */
static void interpreter_of(const char *path, char *out, size_t size) {
  out[0] = 0;
  long fd = os_openat(path);
  if (fd < 0) return;
  static char head[1024];
  long n = os_read(fd, head, sizeof(head));
  os_close(fd);
  if (n < 4) return;
  size_t o = 0;
  if (head[0] == '#' && head[1] == '!') {
    long i = 2;
    while (i < n && (head[i] == ' ' || head[i] == '\t')) i++;
    while (i < n && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && head[i] != 0 && o + 1 < size)
      out[o++] = head[i++];
    out[o] = 0;
    return;
  }
  if (head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F' || n < 64) return;
  int is64 = head[4] == 2;
  unsigned long phoff = 0, phentsize, phnum;
  const unsigned char *h = (const unsigned char *)head;
  /* Little-endian only (x86_64, aarch64, ...): the hosts orun runs on. */
  if (head[5] != 1) return;
  unsigned long v;
  int k;
#define RD(dst, off, len) do { v = 0; for (k = (len) - 1; k >= 0; k--) v = (v << 8) | h[(off) + k]; dst = v; } while (0)
  if (is64) { RD(phoff, 32, 8); RD(phentsize, 54, 2); RD(phnum, 56, 2); }
  else { RD(phoff, 28, 4); RD(phentsize, 42, 2); RD(phnum, 44, 2); }
  for (unsigned long i = 0; i < phnum; i++) {
    unsigned long ph = phoff + i * phentsize, type, off, len;
    if (ph + (is64 ? 40 : 20) > (unsigned long)n) return;
    RD(type, ph, 4);
    if (type != 3 /* PT_INTERP */) continue;
    if (is64) { RD(off, ph + 8, 8); RD(len, ph + 32, 8); }
    else { RD(off, ph + 4, 4); RD(len, ph + 16, 4); }
    if (off + len > (unsigned long)n) return;
    for (unsigned long j = 0; j < len && h[off + j] && o + 1 < size; j++) out[o++] = (char)h[off + j];
    out[o] = 0;
    return;
  }
#undef RD
}

/* "exec <path>: <reason>[ (its interpreter X is missing)]" as orun's init
 * prints it (runc's words), with the cause runc leaves out: ENOENT for a
 * file that exists means its interpreter is missing. *runc_len is the
 * length of runc's own words, without that cause. */
static size_t format_exec_error(char *buf, size_t size, const char *path, long err, size_t *runc_len) {
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
  *runc_len = (size_t)(p - buf);
  if (err == 2) {
    static char interp[256];
    interpreter_of(path, interp, sizeof(interp));
    long fd = interp[0] ? os_openat(interp) : 0;
    if (fd >= 0 && interp[0]) os_close(fd);
    if (interp[0] && fd == -2) {
      p = put(p, end, " (its interpreter ");
      p = put(p, end, interp);
      p = put(p, end, " is missing)");
    }
  }
  return (size_t)(p - buf);
}

static const char hex[] = "0123456789abcdef";

/* The message's body escaped as a JSON string (json) or Go's %q (text). */
static char *put_escaped(char *p, const char *end, const char *s, size_t n, int json) {
  for (size_t i = 0; i < n && p + 6 < end; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
    else if (c == '\n') { *p++ = '\\'; *p++ = 'n'; }
    else if (c == '\t') { *p++ = '\\'; *p++ = 't'; }
    else if (c < 0x20 || c == 0x7f) {
      p = put(p, end, json ? "\\u00" : "\\x");
      *p++ = hex[c >> 4];
      *p++ = hex[c & 15];
    } else *p++ = (char)c;
  }
  return p;
}

/* The failure on the container's stderr in runc's exact words (runc's
 * run.bats "[execve error]" wants that one line) and, when the init passed
 * one, as an error line of `--log` with the cause named (containerd reads
 * its last error line). */
static void report_exec_failure(char **argv, long err) {
  static char msg[768], line[2048];
  size_t runc_n = 0;
  size_t n = format_exec_error(msg, sizeof(msg), argv[1], err, &runc_n);
  long logfd = parse_fd(argv[2]);
  if (logfd > 2) {
    char *end = line + sizeof(line) - 2;
    char *p = put(line, end, argv[4]);
    p = put_escaped(p, end, msg, n, argv[3][0] == 'j');
    p = put(p, end, argv[5]);
    os_write(logfd, line, p - line);
  }
  msg[runc_n] = '\n';
  os_write(2, msg, (long)runc_n + 1);
}

/* For the init's own execve when there is no sealed clone (exe_seal.cpp). */
void orun_exec_failed(char **argv, long err);
void orun_exec_failed(char **argv, long err) { report_exec_failure(argv, err); }

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

static long sys4(long n, long a, long b, long c, long d) {
  long r;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return r;
}

/* Negative errno on failure, as the kernel returns it. */
static long os_openat(const char *path) { return sys4(257, -100 /* AT_FDCWD */, (long)path, 02000000 /* O_CLOEXEC */, 0); }
static long os_read(long fd, char *buf, long n) { return sys3(0, fd, (long)buf, n); }
static long os_close(long fd) { return sys1(3, fd); }
static long os_write(long fd, const char *buf, long n) { return sys3(1, fd, (long)buf, n); }
static long os_cloexec(long fd) { return sys3(72 /* fcntl */, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */); }

/* Called from the entry stub with the initial stack: argc, argv..., NULL,
 * envp..., NULL. No TLS yet, so no libc and no stack protector (this file
 * is built with -fno-stack-protector and without loop-to-libc-call idioms). */
__attribute__((used)) void orun_exe_seal_check(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (!has_marker(argc, argv)) return;
  char **envp = argv + argc + 1;
  long logfd = parse_fd(argv[2]);
  /* The --log fd must not reach the container: closed by a successful exec. */
  if (logfd > 2) os_cloexec(logfd);
  long r = sys3(59 /* execve */, (long)argv[1], (long)(argv + ORUN_SEAL_FIXED_ARGS), (long)envp);
  report_exec_failure(argv, -r);
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
#include <fcntl.h>
#include <unistd.h>

static long neg(long r) { return r < 0 ? -errno : r; }
static long os_openat(const char *path) { return neg(openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)); }
static long os_read(long fd, char *buf, long n) { return neg(read((int)fd, buf, (size_t)n)); }
static long os_close(long fd) { return close((int)fd); }
static long os_write(long fd, const char *buf, long n) { return neg(write((int)fd, buf, (size_t)n)); }
static long os_cloexec(long fd) { return fcntl((int)fd, F_SETFD, FD_CLOEXEC); }

/* glibc passes argc, argv and envp to ELF constructors. */
__attribute__((constructor(101))) static void orun_exe_seal_check(int argc, char **argv, char **envp) {
  if (!has_marker(argc, argv)) return;
  long logfd = parse_fd(argv[2]);
  if (logfd > 2) os_cloexec(logfd);
  execve(argv[1], argv + ORUN_SEAL_FIXED_ARGS, envp);
  report_exec_failure(argv, errno);
  _exit(ORUN_INIT_FAILED);
}

#endif
