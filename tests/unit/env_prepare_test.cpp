// prepare_env / add_home_if_missing: runc's prepareEnv semantics.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <unistd.h>

#include "init/environment.hpp"

using orun::init::add_home_if_missing;
using orun::init::env_lookup;
using orun::init::prepare_env;
using V = std::vector<std::string>;

TEST(EnvPrepare, KeepsOrderWithoutDuplicates) {
  auto r = prepare_env({"PATH=/bin", "TERM=xterm", "A=b=c"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (V{"PATH=/bin", "TERM=xterm", "A=b=c"}));
}

TEST(EnvPrepare, LastValueWinsAtItsLastPosition) {
  auto r = prepare_env({"A=1", "B=2", "A=3", "C=4", "B=5"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (V{"A=3", "C=4", "B=5"}));
}

TEST(EnvPrepare, EmptyValueIsKept) {
  auto r = prepare_env({"EMPTY="});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (V{"EMPTY="}));
}

TEST(EnvPrepare, MissingEqualsIsRuncError) {
  auto r = prepare_env({"A=1", "NOEQUALS"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable: missing '='");
}

TEST(EnvPrepare, EmptyNameIsRejected) {
  auto r = prepare_env({"=value"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable: name cannot be empty");
}

TEST(EnvPrepare, ErrorsAreFoundFromTheEnd) {
  // runc walks backwards, so the later bad entry is the one reported.
  auto r = prepare_env({"=x", "NOEQ"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable: missing '='");
}

TEST(EnvPrepare, NulByteIsRejected) {
  std::string kv("BAD=a");
  kv.push_back('\0');
  kv += "b";
  auto r = prepare_env({kv});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().msg, "invalid environment variable \"BAD\": contains nul byte (\\x00)");
}

TEST(EnvPrepare, NulByteInOverriddenEntryIsIgnored) {
  std::string kv("BAD=a");
  kv.push_back('\0');
  auto r = prepare_env({kv, "BAD=ok"});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (V{"BAD=ok"}));
}

TEST(EnvPrepare, EmptyHomeIsDropped) {
  auto r = prepare_env({"HOME=/root", "X=1", "HOME="});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (V{"X=1"}));
}

TEST(EnvLookup, FindsLastMatchOnly) {
  std::string v;
  EXPECT_TRUE(env_lookup({"PATH=/a", "PATHX=/b", "PATH=/c"}, "PATH", &v));
  EXPECT_EQ(v, "/c");
  EXPECT_FALSE(env_lookup({"PATHX=/b"}, "PATH", &v));
}

class EnvHome : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orun-env-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    passwd_ = dir_ + "/passwd";
    std::ofstream(passwd_) << "root:x:0:0:root:/root:/bin/sh\n"
                              "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                              "app:x:1000:1000::/home/app:/bin/sh\n";
  }
  void TearDown() override {
    unlink(passwd_.c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_, passwd_;
};

TEST_F(EnvHome, AddsHomeFromPasswd) {
  V env{"PATH=/bin"};
  add_home_if_missing(env, 1000, passwd_);
  EXPECT_EQ(env, (V{"PATH=/bin", "HOME=/home/app"}));
}

TEST_F(EnvHome, KeepsExistingHome) {
  V env{"HOME=/custom", "PATH=/bin"};
  add_home_if_missing(env, 1000, passwd_);
  EXPECT_EQ(env, (V{"HOME=/custom", "PATH=/bin"}));
}

TEST_F(EnvHome, ReplacesEmptyHome) {
  V env{"HOME=", "PATH=/bin"};
  add_home_if_missing(env, 0, passwd_);
  EXPECT_EQ(env, (V{"PATH=/bin", "HOME=/root"}));
}

TEST_F(EnvHome, SlashWhenUidHasNoEntry) {
  V env;
  add_home_if_missing(env, 4242, passwd_);
  EXPECT_EQ(env, (V{"HOME=/"}));
}

TEST_F(EnvHome, SlashWhenPasswdIsMissing) {
  V env;
  add_home_if_missing(env, 0, dir_ + "/nonexistent");
  EXPECT_EQ(env, (V{"HOME=/"}));
}
