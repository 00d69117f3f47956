// The compiled-program cache: one file, bounded, checked, and the same
// warnings whether a program is compiled or cached.
#include <gtest/gtest.h>

#include "orun/spec_json.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "security/seccomp.hpp"
#include "security/seccomp_cache.hpp"

using namespace orun::security::seccomp;

namespace {

// linux.seccomp through the config parser, as prepare() gets it.
std::optional<orun::spec::Seccomp> section(const nlohmann::json& j) {
  auto s = orun::spec::parse(nlohmann::json{{"linux", {{"seccomp", j}}}});
  EXPECT_TRUE(s) << s.error().msg;
  return s ? s->linux.seccomp : std::nullopt;
}


class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/orun-seccomp-cache-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

TEST(SeccompCache, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

std::vector<sock_filter> program(uint32_t tag, size_t n = 2) {
  std::vector<sock_filter> p(n, sock_filter{0x20, 0, 0, 4});
  p.back() = {0x06, 0, 0, tag};
  return p;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

TEST(SeccompCache, OneRegularFileThatIsNoContainerId) {
  TempDir d;
  std::string path = cache_path_for_root(d.path);
  EXPECT_EQ(path, d.path + "/.orun:seccomp-cache");
  cache_write(path, sha256_hex("a"), program(1));
  cache_write(path, sha256_hex("b"), program(2));
  // Both in one file, no directory, no temp file left over.
  EXPECT_EQ(names_in(d.path), std::vector<std::string>{".orun:seccomp-cache"});
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(path)));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ASSERT_TRUE(cache_read(path, sha256_hex("a")));
  EXPECT_EQ(cache_read(path, sha256_hex("a"))->back().k, 1u);
  EXPECT_EQ(cache_read(path, sha256_hex("b"))->back().k, 2u);
  EXPECT_FALSE(cache_read(path, sha256_hex("c")));
  EXPECT_FALSE(cache_read(path, "../../etc/passwd"));
}

TEST(SeccompCache, DamageIsAMissNeverAProgram) {
  TempDir d;
  std::string path = d.path + "/cache";
  std::string key = sha256_hex("profile");
  cache_write(path, key, program(0x7fff0000, 8));
  ASSERT_TRUE(cache_read(path, key));
  auto size = std::filesystem::file_size(path);
  // One flipped bit in the program: the checksum no longer matches.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 40));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size - 40));
    c ^= 1;
    f.write(&c, 1);
  }
  EXPECT_FALSE(cache_read(path, key));
  // Rewritten over the damage, then truncated, then foreign.
  cache_write(path, key, program(7));
  ASSERT_TRUE(cache_read(path, key));
  std::filesystem::resize_file(path, 13);
  EXPECT_FALSE(cache_read(path, key));
  std::ofstream(path) << "not a program at all, not at all";
  EXPECT_FALSE(cache_read(path, key));
}

TEST(SeccompCache, NotOursIsNotUsedAndSymlinksAreNotFollowed) {
  TempDir d;
  std::string path = d.path + "/cache", key = sha256_hex("p");
  cache_write(path, key, program(3));
  ASSERT_TRUE(cache_read(path, key));
  // Writable by others: someone else could have put a filter there.
  chmod(path.c_str(), 0666);
  EXPECT_FALSE(cache_read(path, key));
  chmod(path.c_str(), 0600);
  ASSERT_TRUE(cache_read(path, key));
  // A symlink in its place is neither read nor written through.
  std::string target = d.path + "/target";
  std::filesystem::rename(path, target);
  std::filesystem::create_symlink(target, path);
  EXPECT_FALSE(cache_read(path, key));
  auto before = std::filesystem::file_size(target);
  cache_write(path, sha256_hex("q"), program(4, 100));
  EXPECT_EQ(std::filesystem::file_size(target), before);
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(path)));
  EXPECT_TRUE(cache_read(path, sha256_hex("q")));
}

TEST(SeccompCache, BoundedLeastRecentlyUsedGoesFirst) {
  TempDir d;
  std::string path = d.path + "/cache";
  CacheLimits three{.max_entries = 3, .max_bytes = 1u << 20};
  for (const char* k : {"k1", "k2", "k3"}) cache_write(path, sha256_hex(k), program(1), three);
  ASSERT_TRUE(cache_read(path, sha256_hex("k1")));  // k2 is now the least recently used
  cache_write(path, sha256_hex("k4"), program(1), three);
  EXPECT_TRUE(cache_read(path, sha256_hex("k1")));
  EXPECT_FALSE(cache_read(path, sha256_hex("k2")));
  EXPECT_TRUE(cache_read(path, sha256_hex("k3")));
  EXPECT_TRUE(cache_read(path, sha256_hex("k4")));
  // Many more profiles than the bound: the file stays within it.
  CacheLimits bytes{.max_entries = 100, .max_bytes = 20000};
  for (int i = 0; i < 50; i++) cache_write(path, sha256_hex("x" + std::to_string(i)), program(1, 200), bytes);
  EXPECT_LE(std::filesystem::file_size(path), 20000u);
  EXPECT_TRUE(cache_read(path, sha256_hex("x49")));
  EXPECT_FALSE(cache_read(path, sha256_hex("x0")));
  // The default bound.
  for (int i = 0; i < 40; i++) cache_write(path, sha256_hex("y" + std::to_string(i)), program(1, 4096));
  EXPECT_LE(std::filesystem::file_size(path), CacheLimits{}.max_bytes);
  int kept = 0;
  for (int i = 0; i < 40; i++) kept += cache_read(path, sha256_hex("y" + std::to_string(i))).has_value();
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, static_cast<int>(CacheLimits{}.max_entries));
  // A program larger than the whole bound is not cached at all.
  cache_write(path, sha256_hex("big"), program(1, 4096), CacheLimits{.max_entries = 4, .max_bytes = 1000});
  EXPECT_FALSE(cache_read(path, sha256_hex("big")));
}

TEST(SeccompCache, PrepareHitsTheCacheTheSecondTime) {
  TempDir d;
  nlohmann::json j = {{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  std::string cache = cache_path_for_root(d.path);
  auto first = prepare(section(j), cache);
  ASSERT_TRUE(first.has_value()) << first.error().msg;
  ASSERT_TRUE(first->has_value());
  EXPECT_FALSE((*first)->from_cache);
  auto second = prepare(section(j), cache);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_TRUE((*second)->from_cache);
  ASSERT_EQ((*first)->insns.size(), (*second)->insns.size());
  for (size_t i = 0; i < (*first)->insns.size(); i++) EXPECT_EQ((*first)->insns[i].k, (*second)->insns[i].k);
  // A different profile is a different entry.
  j["syscalls"][0]["errnoRet"] = 5;
  auto third = prepare(section(j), cache);
  ASSERT_TRUE(third.has_value() && third->has_value());
  EXPECT_FALSE((*third)->from_cache);
  // A bad profile fails before touching the cache.
  j["syscalls"][0]["action"] = "SCMP_ACT_NOPE";
  EXPECT_FALSE(prepare(section(j), cache).has_value());
}

TEST(SeccompCache, UnknownSyscallsAreReportedForCachedProgramsToo) {
  TempDir d;
  std::string cache = cache_path_for_root(d.path);
  nlohmann::json j = {{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"syscalls",
                       {{{"names", {"mkdir", "no_such_syscall", "another_unknown"}}, {"action", "SCMP_ACT_ERRNO"}},
                        // Same action as the default: skipped before the lookup (runc).
                        {{"names", {"allowed_unknown"}}, {"action", "SCMP_ACT_ALLOW"}}}}};
  const std::vector<std::string> want{"no_such_syscall", "another_unknown"};
  auto first = prepare(section(j), cache);
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_FALSE((*first)->from_cache);
  EXPECT_EQ((*first)->ignored_syscalls, want);
  auto second = prepare(section(j), cache);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_TRUE((*second)->from_cache);
  EXPECT_EQ((*second)->ignored_syscalls, want);
}

}  // namespace
