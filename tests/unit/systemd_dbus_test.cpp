// The D-Bus value model and messages of the systemd driver
// (src/cgroups/systemd/dbus_*): signatures, a round trip through a real
// libdbus message, refusals instead of libdbus's aborts, object paths.
#include <gtest/gtest.h>

#include "cgroups/systemd/dbus_connection.hpp"
#include "cgroups/systemd/systemd1.hpp"

namespace sd = orun::cgroups::systemd;
using sd::Value;

TEST(SystemdDbusValue, SignaturesOfTheDriversProperties) {
  EXPECT_EQ(Value::u64(1).signature(), "t");
  EXPECT_EQ(Value::boolean(true).signature(), "b");
  EXPECT_EQ(Value::bytes({0x0f}).signature(), "ay");
  EXPECT_EQ(Value::array("u", {Value::u32(42)}).signature(), "au");
  EXPECT_EQ(Value::array("(ss)", {}).signature(), "a(ss)");
  EXPECT_EQ(Value::structure({Value::string("/dev/null"), Value::string("rwm")}).signature(), "(ss)");
  EXPECT_EQ(Value::dict_entry(Value::string("k"), Value::variant(Value::i32(1))).signature(), "{sv}");
  EXPECT_EQ(sd::properties_value({{"Delegate", Value::boolean(true)}}).signature(), "a(sv)");
}

TEST(SystemdDbusMessage, StartTransientUnitArgumentsSurviveARoundTrip) {
  auto m = sd::Message::method_call("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                    "org.freedesktop.systemd1.Manager", "StartTransientUnit");
  ASSERT_TRUE(m);
  std::vector<Value> args = {
      Value::string("runc-x.scope"), Value::string("replace"),
      sd::properties_value({
          {"Description", Value::string("libcontainer container x")},
          {"Delegate", Value::boolean(true)},
          {"PIDs", Value::array("u", {Value::u32(1234)})},
          {"MemoryMax", Value::u64(52428800)},
          {"CPUQuotaPerSecUSec", Value::u64(500000)},
          {"AllowedCPUs", Value::bytes({0x05, 0x01})},
          {"DeviceAllow", Value::array("(ss)", {Value::structure({Value::string("char-pts"), Value::string("rwm")})})},
          {"Slice", Value::object_path("/org/freedesktop/systemd1/unit/system_2eslice")},
          {"CPUWeight", Value::i64(-3)},
          {"X", Value::dbl(0.5)},
      }),
      Value::array("(sa(sv))", {})};
  ASSERT_TRUE(m->append(args));
  EXPECT_STREQ(dbus_message_get_signature(m->get()), "ssa(sv)a(sa(sv))");
  auto back = m->args();
  ASSERT_TRUE(back) << back.error().msg;
  EXPECT_EQ(*back, args);
}

TEST(SystemdDbusMessage, InvalidInputIsAnErrorNotAnAbort) {
  auto m = sd::Message::method_call("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                    "org.freedesktop.systemd1.Manager", "StopUnit");
  ASSERT_TRUE(m);
  auto bad_utf8 = m->append({Value::string("\xff\xfe")});
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().err, EINVAL);
  auto bad_path = m->append({Value::object_path("not/a/path")});
  ASSERT_FALSE(bad_path);
  EXPECT_EQ(bad_path.error().msg, "invalid d-bus object path \"not/a/path\"");
  auto mixed = m->append({Value::array("u", {Value::string("x")})});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().msg, "d-bus array of 'u' with an item of type 's'");
  EXPECT_FALSE(sd::Message::method_call("org.freedesktop.systemd1", "/", "no interface", "Get"));
}

TEST(SystemdDbusError, NamesMapToErrnoAndGodbusText) {
  sd::DbusError exists{"org.freedesktop.systemd1.UnitExists", "Unit runc-x.scope was already loaded or has a fragment file."};
  EXPECT_EQ(exists.to_error().err, EEXIST);
  EXPECT_EQ(exists.to_error().msg, "Unit runc-x.scope was already loaded or has a fragment file.");
  EXPECT_EQ((sd::DbusError{"org.freedesktop.systemd1.NoSuchUnit", "Unit y.scope not loaded."}).to_error().err, ENOENT);
  EXPECT_EQ((sd::DbusError{"org.freedesktop.DBus.Error.NoReply", ""}).to_error().err, ETIMEDOUT);
  EXPECT_EQ((sd::DbusError{"org.freedesktop.DBus.Error.NoReply", ""}).to_error().msg,
            "org.freedesktop.DBus.Error.NoReply");
}

TEST(SystemdDbusConnection, AMissingSocketIsAnError) {
  auto c = sd::Connection::open("unix:path=/nonexistent/orun-test-bus", true, std::chrono::milliseconds(500));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().to_error().err, ENOENT) << c.error().name << ": " << c.error().message;
}

TEST(SystemdUnitObjectPath, EscapedAsSystemdDoes) {
  EXPECT_EQ(sd::unit_object_path("init.scope"), "/org/freedesktop/systemd1/unit/init_2escope");
  EXPECT_EQ(sd::unit_object_path("cri-containerd-abc.scope"),
            "/org/freedesktop/systemd1/unit/cri_2dcontainerd_2dabc_2escope");
  EXPECT_EQ(sd::unit_object_path("1a.slice"), "/org/freedesktop/systemd1/unit/_31a_2eslice");
  EXPECT_EQ(sd::unit_object_path("a_b@1"), "/org/freedesktop/systemd1/unit/a_5fb_401");
  EXPECT_EQ(sd::unit_object_path(""), "/org/freedesktop/systemd1/unit/_");
}
