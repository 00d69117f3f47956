// The compiled-program cache and its hash.
#include <gtest/gtest.h>

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

TEST(SeccompCache, RoundTripAndRejectsDamage) {
  TempDir d;
  std::string dir = d.path + "/.seccomp-cache";
  std::string key = sha256_hex("profile");
  std::vector<sock_filter> prog{{0x20, 0, 0, 4}, {0x06, 0, 0, 0x7fff0000}};
  EXPECT_FALSE(cache_read(dir, key));
  cache_write(dir, key, prog);
  auto got = cache_read(dir, key);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1].k, 0x7fff0000u);
  // No temp files left over.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    files++;
    EXPECT_EQ(e.path().filename().string(), key + ".bpf");
  }
  EXPECT_EQ(files, 1);
  // Truncated or foreign files are misses, never programs.
  std::filesystem::resize_file(dir + "/" + key + ".bpf", 13);
  EXPECT_FALSE(cache_read(dir, key));
  std::ofstream(dir + "/" + key + ".bpf") << "not a program at all, not at all";
  EXPECT_FALSE(cache_read(dir, key));
  EXPECT_FALSE(cache_read(dir, "../../etc/passwd"));
}

TEST(SeccompCache, PrepareHitsTheCacheTheSecondTime) {
  TempDir d;
  nlohmann::json j = {{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  auto first = prepare(j, d.path);
  ASSERT_TRUE(first.has_value()) << first.error().msg;
  ASSERT_TRUE(first->has_value());
  EXPECT_FALSE((*first)->from_cache);
  auto second = prepare(j, d.path);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_TRUE((*second)->from_cache);
  ASSERT_EQ((*first)->insns.size(), (*second)->insns.size());
  for (size_t i = 0; i < (*first)->insns.size(); i++) EXPECT_EQ((*first)->insns[i].k, (*second)->insns[i].k);
  // A different profile is a different entry.
  j["syscalls"][0]["errnoRet"] = 5;
  auto third = prepare(j, d.path);
  ASSERT_TRUE(third.has_value() && third->has_value());
  EXPECT_FALSE((*third)->from_cache);
  // A bad profile fails before touching the cache.
  j["syscalls"][0]["action"] = "SCMP_ACT_NOPE";
  EXPECT_FALSE(prepare(j, d.path).has_value());
}

}  // namespace
