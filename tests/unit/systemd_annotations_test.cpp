// org.systemd.property.* annotations against runc 1.5.1's initSystemdProps
// and godbus's ParseVariant (the values and error texts they give).
#include <gtest/gtest.h>

#include "cgroups/systemd/annotation_properties.hpp"

namespace sd = orun::cgroups::systemd;
using sd::Value;

TEST(SystemdGVariant, ValuesAsGodbusParsesThem) {
  struct Case {
    const char* text;
    Value want;
  } cases[] = {
      {"2", Value::i32(2)},  // untyped integers are int32
      {"-7", Value::i32(-7)},
      {"0x10", Value::i32(16)},
      {"010", Value::i32(8)},  // a leading 0 is octal
      {"1.5", Value::dbl(1.5)},
      {"2e3", Value::dbl(2000)},
      {"uint64 1000", Value::u64(1000)},
      {"@t 5", Value::u64(5)},
      {"uint32 7", Value::u32(7)},
      {"int16 -3", Value::i16(-3)},
      {"byte 255", Value::byte(255)},
      {"'inactive-or-failed'", Value::string("inactive-or-failed")},
      {"\"a\\tb\\u00e9\"", Value::string("a\tb\xc3\xa9")},
      {"objectpath '/org/x'", Value::object_path("/org/x")},
      {"true", Value::boolean(true)},
      {"false", Value::boolean(false)},
      {"[1, 2]", Value::array("i", {Value::i32(1), Value::i32(2)})},
      {"['a', 'b']", Value::strings({"a", "b"})},
      {"@as []", Value::array("s", {})},
      {"@at [1]", Value::array("t", {Value::u64(1)})},
      {"<5>", Value::variant(Value::i32(5))},
      {"  42  trailing-ignored", Value::i32(42)},  // godbus reads one value
  };
  for (const auto& c : cases) {
    auto v = sd::parse_gvariant(c.text);
    ASSERT_TRUE(v) << c.text << ": " << v.error().msg;
    EXPECT_EQ(*v, c.want) << c.text << " gave signature " << v->signature();
  }
}

TEST(SystemdGVariant, ErrorsAsGodbusGivesThem) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"5000000000", "strconv.ParseInt: parsing \"5000000000\": value out of range"},
      {"uint32 -1", "strconv.ParseUint: parsing \"-1\": invalid syntax"},
      {"byte 256", "strconv.ParseUint: parsing \"256\": value out of range"},
      {"infinity", "unrecognized type \"infinity\""},
      {"12abc", "bad number syntax: \"12a\""},
      {"'abc", "unterminated string"},
      {"[]", "can't infer type for \"[]\""},
      {"[1, 'a']", "can't parse \"a\" with given type information"},
      {"double 1.5", "dbus: can't parse \"1.5\" as type \"f\""},  // godbus maps double to "f"
      {"uint32 'x'", "invalid type \"u\" for string"},
      {"", "unexpected EOF"},
      {"[1, 2", "unexpected EOF"},
  };
  for (const auto& c : cases) {
    auto v = sd::parse_gvariant(c.text);
    ASSERT_FALSE(v) << c.text << " parsed as " << v->signature();
    EXPECT_EQ(v.error().msg, c.want) << c.text;
  }
}

TEST(SystemdAnnotations, PropertiesAsRuncsInitSystemdProps) {
  auto p = sd::annotation_properties({
      {"org.systemd.property.RuntimeMaxSec", "2"},
      {"org.systemd.property.TimeoutStopSec", "1.5"},
      {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
      {"org.systemd.property.TimeoutUSec", "uint64 7"},   // already USec: kept
      {"org.systemd.property.CPUSec", "uint64 3"},        // no lowercase letter before Sec: kept
      {"org.opencontainers.image.title", "not a property"},  // other annotations ignored
  });
  ASSERT_TRUE(p) << p.error().msg;
  ASSERT_EQ(p->size(), 5u);
  // (in key order)
  EXPECT_EQ((*p)[0].first, "CPUSec");
  EXPECT_EQ((*p)[0].second, Value::u64(3));
  EXPECT_EQ((*p)[1].first, "CollectMode");
  EXPECT_EQ((*p)[1].second, Value::string("inactive-or-failed"));
  EXPECT_EQ((*p)[2].first, "RuntimeMaxUSec");
  EXPECT_EQ((*p)[2].second, Value::u64(2000000));
  EXPECT_EQ((*p)[3].first, "TimeoutStopUSec");
  EXPECT_EQ((*p)[3].second, Value::u64(1500000));
  EXPECT_EQ((*p)[4].first, "TimeoutUSec");
  EXPECT_EQ((*p)[4].second, Value::u64(7));
}

TEST(SystemdAnnotations, RuncsErrors) {
  struct Case {
    const char* key;
    const char* value;
    const char* want;
  } cases[] = {
      {"org.systemd.property.Xy", "1", "annotation org.systemd.property.Xy name incorrect: too short"},
      {"org.systemd.property.Foo1", "1",
       "annotation org.systemd.property.Foo1 name incorrect: contains non-alphabetic character"},
      {"org.systemd.property.Foo.Bar", "1",
       "annotation org.systemd.property.Foo.Bar name incorrect: contains non-alphabetic character"},
      {"org.systemd.property.CollectMode", "inactive",
       "annotation org.systemd.property.CollectMode=inactive value parse error: unrecognized type \"inactive\""},
      {"org.systemd.property.TimeoutStopSec", "'x'",
       "annotation org.systemd.property.TimeoutStopSec='x' value parse error: not a number"},
  };
  for (const auto& c : cases) {
    auto p = sd::annotation_properties({{c.key, c.value}});
    ASSERT_FALSE(p) << c.key;
    EXPECT_EQ(p.error().msg, c.want);
  }
}
