// The one set of small file helpers (src/sys/file): reads, full writes,
// mkdir -p, with the error texts callers print.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "orun/fd.hpp"
#include "sys/file.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/orun-sys-file-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(SysFile, ReadFileKeepsErrnoAndNamesTheStep) {
  TempDir d;
  auto missing = orun::sys::read_file(d.path + "/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().err, ENOENT);
  EXPECT_EQ(missing.error().msg, "open " + d.path + "/none: no such file or directory");
  auto dir = orun::sys::read_file(d.path);
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().msg, "read " + d.path + ": is a directory");
  EXPECT_EQ(orun::sys::read_file_or_empty(d.path + "/none"), "");
  std::ofstream(d.path + "/f") << "abc";
  EXPECT_EQ(*orun::sys::read_file(d.path + "/f"), "abc");
}

TEST(SysFile, WriteAllWritesEverythingOrNamesTheTarget) {
  TempDir d;
  std::string big(1 << 20, 'x');
  {
    orun::UniqueFd fd(::open((d.path + "/big").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(orun::sys::write_all(fd.get(), big, "big"));
  }
  EXPECT_EQ(orun::sys::read_file(d.path + "/big")->size(), big.size());
  orun::UniqueFd ro(::open((d.path + "/big").c_str(), O_RDONLY | O_CLOEXEC));
  auto r = orun::sys::write_all(ro.get(), "y", "config.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "write config.json: bad file descriptor");
}

TEST(SysFile, MkdirAllMakesMissingComponentsOnly) {
  TempDir d;
  ASSERT_TRUE(orun::sys::mkdir_all(d.path + "/a/b/c", 0700));
  EXPECT_TRUE(fs::is_directory(d.path + "/a/b/c"));
  EXPECT_TRUE(orun::sys::mkdir_all(d.path + "/a/b", 0755));  // exists: fine, left alone
  struct stat st{};
  ASSERT_EQ(::stat((d.path + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);  // still the 0700 it was made with
  std::ofstream(d.path + "/file") << "x";
  auto r = orun::sys::mkdir_all(d.path + "/file/sub", 0700);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "mkdir " + d.path + "/file: not a directory");
}
