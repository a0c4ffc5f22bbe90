#include "kong/pdk/config.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kong {
namespace {

using nlohmann::json;

struct Limits {
  int per_minute = 60;
  std::optional<std::int64_t> per_hour;

  static constexpr auto fields() {
    return std::tuple{field("per_minute", &Limits::per_minute).between(1, 10000),
                      field("per_hour", &Limits::per_hour)};
  }
};

struct Upstream {
  std::string host;
  int port = 80;

  static constexpr auto fields() {
    return std::tuple{field("host", &Upstream::host).required(),
                      field("port", &Upstream::port).between(1, 65535)};
  }
};

struct Config {
  std::string message = "hi";
  bool enabled = true;
  double ratio = 0.5;
  std::uint16_t small = 7;
  std::int64_t quota = 0;
  std::string key_name = "apikey";
  Limits limits;
  std::vector<std::string> tags = {"a", "b"};
  std::vector<Upstream> upstreams;
  std::map<std::string, int> weights;
  std::map<std::string, std::vector<std::string>> groups;
  std::optional<std::string> note;
  json extra;

  static constexpr auto fields() {
    return std::tuple{field("message", &Config::message),
                      field("enabled", &Config::enabled),
                      field("ratio", &Config::ratio),
                      field("small", &Config::small),
                      field("quota", &Config::quota),
                      field("key_names", &Config::key_name),  // JSON name differs
                      field("limits", &Config::limits),
                      field("tags", &Config::tags),
                      field("upstreams", &Config::upstreams),
                      field("weights", &Config::weights),
                      field("groups", &Config::groups),
                      field("note", &Config::note),
                      field("extra", &Config::extra)};
  }
};

Config Read(const std::string& text) {
  Config c;
  const Status s = config_from_json(json::parse(text), c);
  EXPECT_TRUE(s.ok()) << text << ": " << s.error().message;
  return c;
}

std::string ReadError(const std::string& text) {
  Config c;
  const Status s = config_from_json(json::parse(text), c);
  return s.ok() ? "accepted " + text : s.error().message;
}

TEST(ConfigMapping, ReadsFieldsUnderTheirJsonNames) {
  const Config c = Read(R"({"message": "hello", "key_names": "x-key"})");
  EXPECT_EQ(c.message, "hello");
  EXPECT_EQ(c.key_name, "x-key");
}

TEST(ConfigMapping, KeepsDefaultsWhenFieldsAreAbsent) {
  const Config c = Read("{}");
  EXPECT_EQ(c.message, "hi");
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.ratio, 0.5);
  EXPECT_EQ(c.small, 7);
  EXPECT_EQ(c.key_name, "apikey");
  EXPECT_EQ(c.limits.per_minute, 60);
  EXPECT_EQ(c.limits.per_hour, std::nullopt);
  EXPECT_EQ(c.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(c.upstreams.empty());
  EXPECT_EQ(c.note, std::nullopt);
  EXPECT_TRUE(c.extra.is_null());
}

TEST(ConfigMapping, KeepsDefaultsWhenFieldsAreNull) {
  const Config c = Read(
      R"({"message": null, "enabled": null, "limits": null, "tags": null, "note": null,
          "upstreams": null})");
  EXPECT_EQ(c.message, "hi");
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.limits.per_minute, 60);
  EXPECT_EQ(c.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.note, std::nullopt);
}

TEST(ConfigMapping, KeepsNestedDefaultsWhenARecordIsPartial) {
  const Config c = Read(R"({"limits": {"per_hour": 1000}})");
  EXPECT_EQ(c.limits.per_minute, 60);
  EXPECT_EQ(c.limits.per_hour, 1000);
}

TEST(ConfigMapping, IgnoresKongsBookkeepingKeys) {
  const Config c =
      Read(R"({"__seq__": 3, "__plugin_id": "d2a1", "__key__": "plugins:x", "message": "m"})");
  EXPECT_EQ(c.message, "m");
}

TEST(ConfigMapping, ReadsNestedStructsArraysAndMaps) {
  const Config c = Read(R"({
      "enabled": false, "ratio": 2, "small": 65535, "quota": -5, "note": "n",
      "limits": {"per_minute": 10000, "per_hour": 5},
      "tags": [], "upstreams": [{"host": "a"}, {"host": "b", "port": 8080}],
      "weights": {"x": 1, "y": -2}, "groups": {"admins": ["ann", "bob"], "none": []},
      "extra": {"anything": [1, "two"]}})");
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.ratio, 2.0);
  EXPECT_EQ(c.small, 65535);
  EXPECT_EQ(c.quota, -5);
  EXPECT_EQ(c.note, "n");
  EXPECT_EQ(c.limits.per_minute, 10000);
  EXPECT_EQ(c.limits.per_hour, 5);
  EXPECT_TRUE(c.tags.empty());
  ASSERT_EQ(c.upstreams.size(), 2u);
  EXPECT_EQ(c.upstreams[0].host, "a");
  EXPECT_EQ(c.upstreams[0].port, 80);
  EXPECT_EQ(c.upstreams[1].host, "b");
  EXPECT_EQ(c.upstreams[1].port, 8080);
  EXPECT_EQ(c.weights, (std::map<std::string, int>{{"x", 1}, {"y", -2}}));
  EXPECT_EQ(c.groups, (std::map<std::string, std::vector<std::string>>{{"admins", {"ann", "bob"}},
                                                                       {"none", {}}}));
  EXPECT_EQ(c.extra, json::parse(R"({"anything": [1, "two"]})"));
}

TEST(ConfigMapping, ReadsIntegersCjsonWritesWithAnExponent) {
  // Kong's cjson prints numbers with 14 significant digits: 10^15 is "1e+15".
  const Config c = Read(R"({"quota": 1e+15, "limits": {"per_minute": 5.0}})");
  EXPECT_EQ(c.quota, 1000000000000000);
  EXPECT_EQ(c.limits.per_minute, 5);
}

TEST(ConfigMapping, ReadsAnEmptyLuaTableAsAnEmptyArrayOrMap) {
  const Config c = Read(R"({"tags": {}, "weights": [], "groups": {"g": {}}})");
  EXPECT_TRUE(c.tags.empty());
  EXPECT_TRUE(c.weights.empty());
  EXPECT_EQ(c.groups, (std::map<std::string, std::vector<std::string>>{{"g", {}}}));
}

struct ErrorCase {
  const char* json;
  const char* error;
};

TEST(ConfigMapping, NamesTheFieldPathAndWhatWasWrong) {
  const ErrorCase cases[] = {
      {R"({"limits": {"per_minute": "x"}})",
       R"(config.limits.per_minute: expected integer, got string "x")"},
      {R"({"message": 5})", "config.message: expected string, got integer 5"},
      {R"({"enabled": "yes"})", R"(config.enabled: expected boolean, got string "yes")"},
      {R"({"ratio": "x"})", R"(config.ratio: expected number, got string "x")"},
      {R"({"quota": 1.5})", "config.quota: expected integer, got number 1.5"},
      {R"({"quota": true})", "config.quota: expected integer, got boolean true"},
      {R"({"key_names": []})", "config.key_names: expected string, got array"},
      {R"({"limits": 5})", "config.limits: expected record, got integer 5"},
      {R"({"tags": "a"})", R"(config.tags: expected array, got string "a")"},
      {R"({"tags": {"a": "b"}})", "config.tags: expected array, got object"},
      {R"({"tags": ["a", 1]})", "config.tags[1]: expected string, got integer 1"},
      {R"({"upstreams": [{"host": "a"}, {"host": "b", "port": "80"}]})",
       R"(config.upstreams[1].port: expected integer, got string "80")"},
      {R"({"weights": {"a": 1.5}})", "config.weights.a: expected integer, got number 1.5"},
      {R"({"weights": ["a"]})", "config.weights: expected map, got array"},
      {R"({"groups": {"g": [null]}})", "config.groups.g[0]: expected string, got null"},
      {R"({"note": 1})", "config.note: expected string, got integer 1"},
      {R"("just a string")", R"(config: expected record, got string "just a string")"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ReadError(c.json), c.error) << c.json;
}

TEST(ConfigMapping, RefusesAnUnknownFieldAsMockKongDoes) {
  EXPECT_EQ(ReadError(R"({"mesage": "hi"})"), "config.mesage: unknown field");
  EXPECT_EQ(ReadError(R"({"limits": {"per_minut": 5}})"), "config.limits.per_minut: unknown field");
  EXPECT_EQ(ReadError(R"({"upstreams": [{"host": "a", "prot": 1}]})"),
            "config.upstreams[0].prot: unknown field");
}

TEST(ConfigMapping, TakesKongsBookkeepingKeysAtTheTopForNoField) {
  EXPECT_EQ(Read(R"({"message": "m", "__seq__": 3, "__plugin_id": "x", "__ws_id": "w",
                     "__key__": "plugins:p::::w", "route_id": "r", "service_id": "s",
                     "consumer_id": "c", "plugin_instance_name": "i"})")
                .message,
            "m");
  EXPECT_EQ(ReadError(R"({"limits": {"__seq__": 3}})"), "config.limits.__seq__: unknown field");
  EXPECT_EQ(ReadError(R"({"limits": {"route_id": "r"}})"), "config.limits.route_id: unknown field");
}

TEST(ConfigMapping, TakesTheVaultReferencesKongResolvedInAnyRecord) {
  EXPECT_EQ(Read(R"({"message": "secret", "$refs": {"message": "{vault://env/m}"},
                     "limits": {"$refs": {}}})")
                .message,
            "secret");
}

TEST(ConfigMapping, RefusesAMissingRequiredField) {
  EXPECT_EQ(ReadError(R"({"upstreams": [{"host": "a"}, {"port": 1}]})"),
            "config.upstreams[1].host: required field missing");
  EXPECT_EQ(ReadError(R"({"upstreams": [{"host": null}]})"),
            "config.upstreams[0].host: required field missing");
}

TEST(ConfigMapping, RefusesValuesOutsideBetween) {
  const ErrorCase cases[] = {
      {R"({"limits": {"per_minute": 0}})",
       "config.limits.per_minute: expected integer between 1 and 10000, got 0"},
      {R"({"limits": {"per_minute": 10001}})",
       "config.limits.per_minute: expected integer between 1 and 10000, got 10001"},
      {R"({"limits": {"per_minute": -3}})",
       "config.limits.per_minute: expected integer between 1 and 10000, got -3"},
      {R"({"limits": {"per_minute": 1e+15}})",
       "config.limits.per_minute: expected integer between -2147483648 and 2147483647, got 1e+15"},
      {R"({"upstreams": [{"host": "a", "port": 70000}]})",
       "config.upstreams[0].port: expected integer between 1 and 65535, got 70000"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ReadError(c.json), c.error) << c.json;
  EXPECT_EQ(Read(R"({"limits": {"per_minute": 1}})").limits.per_minute, 1);
  EXPECT_EQ(Read(R"({"limits": {"per_minute": 10000}})").limits.per_minute, 10000);
}

TEST(ConfigMapping, RefusesIntegersBeyondTheMemberType) {
  EXPECT_EQ(ReadError(R"({"small": 65536})"),
            "config.small: expected integer between 0 and 65535, got 65536");
  EXPECT_EQ(ReadError(R"({"small": -1})"),
            "config.small: expected integer between 0 and 65535, got -1");
  EXPECT_EQ(ReadError(R"({"quota": 18446744073709551615})"),
            "config.quota: expected integer between -9223372036854775808 and 9223372036854775807, "
            "got 18446744073709551615");
}

TEST(ConfigMapping, WritesEveryField) {
  Config c;
  c.upstreams = {Upstream{"h", 81}};
  c.weights = {{"w", 2}};
  c.extra = json{{"k", 1}};
  EXPECT_EQ(config_to_json(c), json::parse(R"({
      "message": "hi", "enabled": true, "ratio": 0.5, "small": 7, "quota": 0,
      "key_names": "apikey", "limits": {"per_minute": 60, "per_hour": null},
      "tags": ["a", "b"], "upstreams": [{"host": "h", "port": 81}], "weights": {"w": 2},
      "groups": {}, "note": null, "extra": {"k": 1}})"));
}

TEST(ConfigMapping, ReadsWhatItWrites) {
  Config c = Read(R"({"message": "m", "limits": {"per_hour": 9}, "upstreams": [{"host": "u"}],
                      "groups": {"g": ["x"]}, "note": "n"})");
  Config again;
  ASSERT_TRUE(config_from_json(config_to_json(c), again).ok());
  EXPECT_EQ(config_to_json(again), config_to_json(c));
}

TEST(ConfigSchema, DerivesKongTypesDefaultsAndValidators) {
  EXPECT_EQ(config_schema<Config>(), json::parse(R"({"type": "record", "fields": [
      {"message": {"type": "string", "default": "hi"}},
      {"enabled": {"type": "boolean", "default": true}},
      {"ratio": {"type": "number", "default": 0.5}},
      {"small": {"type": "integer", "default": 7}},
      {"quota": {"type": "integer"}},
      {"key_names": {"type": "string", "default": "apikey"}},
      {"limits": {"type": "record", "fields": [
          {"per_minute": {"type": "integer", "default": 60, "between": [1, 10000]}},
          {"per_hour": {"type": "integer"}}]}},
      {"tags": {"type": "array", "elements": {"type": "string"}, "default": ["a", "b"]}},
      {"upstreams": {"type": "array", "elements": {"type": "record", "fields": [
          {"host": {"type": "string", "required": true}},
          {"port": {"type": "integer", "default": 80, "between": [1, 65535]}}]}}},
      {"weights": {"type": "map", "keys": {"type": "string"}, "values": {"type": "integer"}}},
      {"groups": {"type": "map", "keys": {"type": "string"},
                  "values": {"type": "array", "elements": {"type": "string"}}}},
      {"note": {"type": "string"}},
      {"extra": {"type": "json"}}]})"));
}

TEST(ConfigSchema, ListsFieldsInDeclarationOrder) {
  const json schema = config_schema<Config>();
  std::vector<std::string> names;
  for (const auto& f : schema["fields"])
    names.push_back(f.begin().key());
  EXPECT_EQ(names, (std::vector<std::string>{"message", "enabled", "ratio", "small", "quota",
                                             "key_names", "limits", "tags", "upstreams", "weights",
                                             "groups", "note", "extra"}));
}

}  // namespace
}  // namespace kong
