#include "kong/pdk/typed_codec.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "pdk/test_values.h"

namespace kong::protocol {
namespace {

using test::StrMap;

template <class T>
std::optional<T> Read(const Value& v) {
  T out{};
  if (!from_value(v, out))
    return std::nullopt;
  return out;
}

struct MultiMapCase {
  const char* what;
  Value wire;
  MultiMap expected;
};

TEST(TypedCodec, DecodesMultiMapsInEveryShapeKongSends) {
  const MultiMapCase cases[] = {
      {"one value as a one-element array",
       StrMap({{"host", Array{"example.com"}}}),
       {{"host", {"example.com"}}}},
      {"several values in order", StrMap({{"accept", Array{"b", "a"}}}), {{"accept", {"b", "a"}}}},
      {"a plain string value", StrMap({{"host", "example.com"}}), {{"host", {"example.com"}}}},
      {"a bin value", StrMap({{"x", Bytes{"raw"}}}), {{"x", {"raw"}}}},
      {"a query flag as an empty array", StrMap({{"debug", Array{}}}), {{"debug", {}}}},
      {"a query flag as true", StrMap({{"debug", true}}), {{"debug", {}}}},
      {"a flag repeated next to values (?a=1&a)",
       StrMap({{"a", Array{"1", true}}}),
       {{"a", {"1"}}}},
      {"an empty map", Value(Map{}), {}},
      {"an empty table written as an empty array", Value(Array{}), {}},
      {"several names",
       StrMap({{"a", Array{"1"}}, {"b", "2"}, {"c", true}}),
       {{"a", {"1"}}, {"b", {"2"}}, {"c", {}}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Read<MultiMap>(c.wire), c.expected) << c.what;
  }
}

TEST(TypedCodec, RefusesMultiMapsOfOtherShapes) {
  const Value bad[] = {
      Value("x"),
      Value(Array{"a"}),
      Value(Map{{Value(1), Value(Array{"a"})}}),
      StrMap({{"a", false}}),
      StrMap({{"a", 1}}),
      StrMap({{"a", Value{}}}),
      StrMap({{"a", Array{"x", 1}}}),
      StrMap({{"a", Array{"x", false}}}),
      StrMap({{"a", StrMap({{"b", "c"}})}}),
  };
  for (const auto& v : bad)
    EXPECT_EQ(Read<MultiMap>(v), std::nullopt) << to_debug_string(v);
}

TEST(TypedCodec, ReadsIntegersFromIntegralDoubles) {
  EXPECT_EQ(Read<std::int64_t>(Value(200)), 200);
  EXPECT_EQ(Read<std::int64_t>(Value(200.0)), 200);
  EXPECT_EQ(Read<std::int64_t>(Value(-3.0)), -3);
  EXPECT_EQ(Read<std::int64_t>(Value(9007199254740991.0)), 9007199254740991LL);
  EXPECT_EQ(Read<int>(Value(404.0)), 404);
}

TEST(TypedCodec, RefusesIntegersFromOtherValues) {
  for (const Value& v : {Value(1.5), Value(-0.25), Value(9007199254740992.0), Value(1e300),
                         Value(std::numeric_limits<double>::infinity()), Value(std::nan("")),
                         Value("200"), Value(true), Value{}}) {
    EXPECT_EQ(Read<std::int64_t>(v), std::nullopt) << to_debug_string(v);
  }
  EXPECT_EQ(Read<int>(Value(2147483648LL)), std::nullopt);
  EXPECT_EQ(Read<int>(Value(-2147483649LL)), std::nullopt);
}

TEST(TypedCodec, ReadsScalars) {
  EXPECT_EQ(Read<double>(Value(2)), 2.0);
  EXPECT_EQ(Read<double>(Value(2.5)), 2.5);
  EXPECT_EQ(Read<double>(Value("2.5")), std::nullopt);
  EXPECT_EQ(Read<bool>(Value(true)), true);
  EXPECT_EQ(Read<bool>(Value(1)), std::nullopt);
  EXPECT_EQ(Read<std::string>(Value("s")), "s");
  EXPECT_EQ(Read<std::string>(Value(Bytes{"b"})), "b");
  EXPECT_EQ(Read<std::string>(Value(1)), std::nullopt);
  EXPECT_EQ(Read<Bytes>(Value(Bytes{std::string("\x00\xff", 2)})),
            Bytes{std::string("\x00\xff", 2)});
  EXPECT_EQ(Read<Bytes>(Value("text")), Bytes{"text"});
  EXPECT_EQ(Read<Bytes>(Value{}), std::nullopt);
}

TEST(TypedCodec, ReadsOptionalsFromNilOrTheValue) {
  EXPECT_EQ(Read<std::optional<std::string>>(Value{}),
            std::optional<std::optional<std::string>>(std::optional<std::string>()));
  EXPECT_EQ(Read<std::optional<std::string>>(Value("v")),
            std::optional<std::optional<std::string>>("v"));
  EXPECT_EQ(Read<std::optional<std::string>>(Value(5)), std::nullopt);
}

TEST(TypedCodec, ConvertsJsonToValues) {
  const auto j = nlohmann::json::parse(
      R"({"s": "x", "i": -3, "u": 18446744073709551615, "d": 1.5, "b": true, "n": null,
          "a": [1, "two", [], {}], "o": {"k": "v"}})");
  const Value v = json_to_value(j);
  // nlohmann keeps object keys sorted.
  EXPECT_EQ(v, StrMap({{"a", Array{1, "two", Array{}, Map{}}},
                       {"b", true},
                       {"d", 1.5},
                       {"i", -3},
                       {"n", Value{}},
                       {"o", StrMap({{"k", "v"}})},
                       {"s", "x"},
                       {"u", 18446744073709551615.0}}));
  EXPECT_EQ(json_to_value(nlohmann::json::binary({1, 2})), Value(Bytes{"\x01\x02"}));
}

TEST(TypedCodec, ConvertsValuesToJson) {
  const Value v = StrMap({{"s", "x"},
                          {"bytes", Bytes{"raw"}},
                          {"list", Array{1, 2.5, Value{}, false}},
                          {"nested", StrMap({{"k", Array{}}})}});
  EXPECT_EQ(value_to_json(v), nlohmann::json::parse(R"({"s": "x", "bytes": "raw",
      "list": [1, 2.5, null, false], "nested": {"k": []}})"));
  // JSON keys are strings: other keys are written as they print.
  EXPECT_EQ(value_to_json(Value(Map{{Value(1), Value("a")}})), nlohmann::json({{"1", "a"}}));
}

TEST(TypedCodec, RoundTripsJsonThroughValues) {
  const auto j = nlohmann::json::parse(
      R"({"message": "hi", "limits": {"per_minute": 60, "ratio": 0.5}, "tags": ["a", "b"],
          "flags": [true, false, null], "empty": {}, "none": []})");
  EXPECT_EQ(value_to_json(json_to_value(j)), j);
}

TEST(TypedCodec, WritesArgumentsAsKongExpectsThem) {
  EXPECT_EQ(to_value(MultiMap{{"a", {"1", "2"}}, {"flag", {}}}),
            StrMap({{"a", Array{"1", "2"}}, {"flag", Array{}}}));
  EXPECT_EQ(to_value(HeaderValue("v")), Value("v"));
  EXPECT_EQ(to_value(HeaderValue(std::vector<std::string>{"a", "b"})), Value(Array{"a", "b"}));
  EXPECT_EQ(to_value(Body("text")), Value(Bytes{"text"}));
  EXPECT_EQ(to_value(Body(std::string("text"))), Value(Bytes{"text"}));
  EXPECT_EQ(to_value(Body(nlohmann::json{{"message", "no"}})), StrMap({{"message", "no"}}));
  EXPECT_EQ(to_value(Body()), Value{});
  EXPECT_EQ(to_value(std::optional<std::int64_t>()), Value{});
  EXPECT_EQ(to_value(std::optional<std::int64_t>(5)), Value(5));
}

TEST(TypedCodec, NamesExpectedResultTypes) {
  EXPECT_EQ(expected_type_name<std::string>(), "string");
  EXPECT_EQ(expected_type_name<std::optional<std::string>>(), "string or nil");
  EXPECT_EQ(expected_type_name<std::int64_t>(), "integer");
  EXPECT_EQ(expected_type_name<double>(), "number");
  EXPECT_EQ(expected_type_name<bool>(), "boolean");
  EXPECT_EQ(expected_type_name<std::optional<Bytes>>(), "bytes or nil");
  EXPECT_EQ(expected_type_name<MultiMap>(), "map of string lists");
}

}  // namespace
}  // namespace kong::protocol
