// The sealed clone of the runtime binary (CVE-2019-5736): the overlayfs view
// and the memfd copy can be executed and read, never written, and the
// lowerdir escaping overlayfs needs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "security/exe_seal.hpp"

using namespace orun::security;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/orun-exeseal-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string fd_link(int fd) {
  char buf[4096];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

std::string read_all(int fd) {
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Reopening the clone for writing (the CVE-2019-5736 move) fails with `err`.
void expect_not_writable(int fd, int err) {
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (int mode : {O_WRONLY, O_RDWR, O_WRONLY | O_TRUNC, O_WRONLY | O_APPEND}) {
    int w = open(path.c_str(), mode | O_CLOEXEC);
    if (w >= 0) {
      // A memfd opens, but every change is refused by its seals.
      EXPECT_LT(write(w, "x", 1), 0) << "mode " << mode;
      EXPECT_EQ(errno, err);
      EXPECT_LT(ftruncate(w, 0), 0);
      close(w);
    } else {
      EXPECT_EQ(errno, err) << "mode " << mode;
    }
  }
}

TEST(ExeSeal, OverlayLowerdirEscaping) {
  EXPECT_EQ(escape_overlay_lowerdir("/usr/bin"), "/usr/bin");
  EXPECT_EQ(escape_overlay_lowerdir("/a:b"), "/a\\:b");
  EXPECT_EQ(escape_overlay_lowerdir("/a\\b:c"), "/a\\\\b\\:c");
}

TEST(ExeSeal, OverlayViewIsReadOnlyAndKeepsTheBytes) {
  if (geteuid() != 0) GTEST_SKIP() << "overlayfs needs root";
  TempDir bin, scratch;
  std::string prog = bin.path + "/prog:x";  // a ':' in the name is not a layer separator
  std::ofstream(prog) << "#!/bin/sh\necho hi\n";
  chmod(prog.c_str(), 0755);
  // The scratch layer's own file of that name must not mask the binary.
  std::ofstream(scratch.path + "/prog:x") << "impostor";

  auto fd = sealed_overlay_of(prog, scratch.path);
  ASSERT_TRUE(fd.has_value()) << fd.error().msg;
  EXPECT_NE(fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(fd_link(fd->get()), "/prog:x");  // on a mount attached nowhere
  struct statfs sf{};
  ASSERT_EQ(fstatfs(fd->get(), &sf), 0);
  EXPECT_EQ(sf.f_type, OVERLAYFS_SUPER_MAGIC);
  EXPECT_EQ(read_all(fd->get()), "#!/bin/sh\necho hi\n");
  expect_not_writable(fd->get(), EROFS);
  // The binary itself is untouched and still writable by its owner.
  EXPECT_EQ(access(prog.c_str(), W_OK), 0);
}

TEST(ExeSeal, OverlayOfAMissingBinaryFails) {
  if (geteuid() != 0) GTEST_SKIP() << "overlayfs needs root";
  TempDir bin, scratch;
  auto fd = sealed_overlay_of(bin.path + "/nope", scratch.path);
  ASSERT_FALSE(fd.has_value());
  EXPECT_NE(fd.error().msg.find("open nope from overlayfs"), std::string::npos) << fd.error().msg;
}

TEST(ExeSeal, MemfdCopyIsFullySealed) {
  TempDir bin;
  std::string prog = bin.path + "/prog";
  std::ofstream(prog) << "\177ELF and some bytes";
  auto fd = sealed_memfd_copy_of(prog);
  ASSERT_TRUE(fd.has_value()) << fd.error().msg;
  EXPECT_TRUE(is_fully_sealed(fd->get()));
  EXPECT_NE(fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(fd_link(fd->get()), "/memfd:runc_cloned:/proc/self/exe (deleted)");
  EXPECT_EQ(read_all(fd->get()), "\177ELF and some bytes");
  expect_not_writable(fd->get(), EPERM);
  // F_SEAL_EXEC (Linux 6.3+): the exec bits can no longer change.
  if (fcntl(fd->get(), F_GET_SEALS) & 0x0020) {
    EXPECT_LT(fchmod(fd->get(), 0600), 0);
  }
}

TEST(ExeSeal, SelfExeFallsBackToACopyWithoutOverlay) {
  // A scratch layer that does not exist makes overlayfs refuse.
  auto fd = seal_self_exe("/nonexistent/orun-scratch", "orun");
  ASSERT_TRUE(fd.has_value()) << fd.error().msg;
  EXPECT_TRUE(is_fully_sealed(fd->get()));
}

TEST(ExeSeal, SelfExePrefersOverlay) {
  if (geteuid() != 0) GTEST_SKIP() << "overlayfs needs root";
  TempDir scratch;
  auto fd = seal_self_exe(scratch.path, "orun");
  ASSERT_TRUE(fd.has_value()) << fd.error().msg;
  struct statfs sf{};
  ASSERT_EQ(fstatfs(fd->get(), &sf), 0);
  EXPECT_EQ(sf.f_type, OVERLAYFS_SUPER_MAGIC);
  expect_not_writable(fd->get(), EROFS);
}

}  // namespace
