#include "kong/mock/config_schema.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kong::mock {
namespace {

using nlohmann::json;

constexpr const char* kWhere = "fixtures/hello.json";

// A plugin's entity schema as a plugin server dumps it, with `config_fields`
// as the fields of its config record.
json KongSchema(const char* config_fields) {
  return json{
      {"name", "hello"},
      {"fields",
       json::array(
           {json{{"protocols", {{"type", "set"}, {"elements", {{"type", "string"}}}}}},
            json{{"config", {{"type", "record"}, {"fields", json::parse(config_fields)}}}}})}};
}

// The checked config, or the error message.
std::string Validated(const char* config, const char* config_fields) {
  const auto result = validate_config(json::parse(config), KongSchema(config_fields), kWhere);
  return result.ok() ? result->dump() : result.error().message;
}

constexpr const char* kMessage = R"([{"message": {"type": "string", "default": "hi"}}])";

TEST(ConfigValidation, FillsTheDefaultOfAnAbsentField) {
  EXPECT_EQ(Validated("{}", kMessage), R"({"message":"hi"})");
}

TEST(ConfigValidation, FillsTheDefaultOfANullField) {
  EXPECT_EQ(Validated(R"({"message": null})", kMessage), R"({"message":"hi"})");
}

TEST(ConfigValidation, KeepsAGivenValueOverTheDefault) {
  EXPECT_EQ(Validated(R"({"message": "yo"})", kMessage), R"({"message":"yo"})");
}

TEST(ConfigValidation, LeavesAnAbsentFieldWithoutDefaultAbsent) {
  EXPECT_EQ(Validated("{}", R"([{"message": {"type": "string"}}])"), "{}");
}

TEST(ConfigValidation, ReportsAWrongTypeWithWhereAndPath) {
  EXPECT_EQ(Validated(R"({"message": 3})", kMessage),
            "fixtures/hello.json: config.message: expected string, got number 3");
}

TEST(ConfigValidation, ReportsAnUnknownField) {
  EXPECT_EQ(Validated(R"({"mesage": "hi"})", kMessage),
            "fixtures/hello.json: config.mesage: unknown field");
}

TEST(ConfigValidation, PassesKongsOwnDoubleUnderscoreKeysThrough) {
  EXPECT_EQ(Validated(R"({"__seq__": 3, "__plugin_id": "p1", "__key__": "k"})", kMessage),
            R"({"__key__":"k","__plugin_id":"p1","__seq__":3,"message":"hi"})");
}

TEST(ConfigValidation, ReportsAMissingRequiredField) {
  EXPECT_EQ(Validated("{}", R"([{"message": {"type": "string", "required": true}}])"),
            "fixtures/hello.json: config.message: required field missing");
  EXPECT_EQ(
      Validated(R"({"message": null})", R"([{"message": {"type": "string", "required": true}}])"),
      "fixtures/hello.json: config.message: required field missing");
}

constexpr const char* kLimits = R"([{"limits": {"type": "record", "fields": [
    {"per_minute": {"type": "integer", "default": 60, "between": [1, 10000]}},
    {"policy": {"type": "string", "one_of": ["local", "redis"]}}]}}])";

TEST(ConfigValidation, ReportsProblemsInsideANestedRecordWithItsPath) {
  EXPECT_EQ(Validated(R"({"limits": {"per_minute": "x"}})", kLimits),
            R"(fixtures/hello.json: config.limits.per_minute: expected integer, got string "x")");
  EXPECT_EQ(Validated(R"({"limits": {"per_mnute": 1}})", kLimits),
            "fixtures/hello.json: config.limits.per_mnute: unknown field");
  EXPECT_EQ(Validated(R"({"limits": []})", kLimits),
            "fixtures/hello.json: config.limits: expected object, got array");
}

TEST(ConfigValidation, FillsDefaultsInsideAGivenRecord) {
  EXPECT_EQ(Validated(R"({"limits": {"policy": "redis"}})", kLimits),
            R"({"limits":{"per_minute":60,"policy":"redis"}})");
}

TEST(ConfigValidation, ExpandsAnAbsentRecordToCollectItsDefaults) {
  EXPECT_EQ(Validated("{}", kLimits), R"({"limits":{"per_minute":60}})");
}

TEST(ConfigValidation, LeavesAnAbsentRecordMarkedNotRequiredAbsent) {
  EXPECT_EQ(Validated("{}", R"([{"limits": {"type": "record", "required": false, "fields": [
                          {"per_minute": {"type": "integer", "default": 60}}]}}])"),
            "{}");
}

TEST(ConfigValidation, ReportsAValueOutsideBetween) {
  EXPECT_EQ(
      Validated(R"({"limits": {"per_minute": 0}})", kLimits),
      "fixtures/hello.json: config.limits.per_minute: expected integer between 1 and 10000, got 0");
  EXPECT_EQ(
      Validated(R"({"limits": {"per_minute": 10001}})", kLimits),
      "fixtures/hello.json: config.limits.per_minute: expected integer between 1 and 10000, got "
      "10001");
  EXPECT_EQ(Validated(R"({"limits": {"per_minute": 10000}})", kLimits),
            R"({"limits":{"per_minute":10000}})");
}

TEST(ConfigValidation, ReportsAValueOutsideOneOf) {
  EXPECT_EQ(
      Validated(R"({"limits": {"policy": "cluster"}})", kLimits),
      R"(fixtures/hello.json: config.limits.policy: expected one of "local", "redis", got "cluster")");
}

TEST(ConfigValidation, ReportsAnArrayElementWithItsIndex) {
  const char* tags = R"([{"tags": {"type": "array", "elements": {"type": "string"}}}])";
  EXPECT_EQ(Validated(R"({"tags": ["a", 2]})", tags),
            "fixtures/hello.json: config.tags[1]: expected string, got number 2");
  EXPECT_EQ(Validated(R"({"tags": "a"})", tags),
            R"(fixtures/hello.json: config.tags: expected array, got string "a")");
}

TEST(ConfigValidation, FillsDefaultsOfRecordsInsideAnArray) {
  EXPECT_EQ(Validated(R"({"rules": [{"name": "a"}, {"name": "b", "weight": 5}]})", R"([{"rules": {
                      "type": "array", "elements": {"type": "record", "fields": [
                        {"name": {"type": "string", "required": true}},
                        {"weight": {"type": "integer", "default": 1}}]}}}])"),
            R"({"rules":[{"name":"a","weight":1},{"name":"b","weight":5}]})");
}

TEST(ConfigValidation, ReportsAMapValueWithItsKeyAndAMapKeyOutsideItsChoices) {
  const char* headers = R"([{"headers": {"type": "map",
      "keys": {"type": "string", "one_of": ["X-A", "X-B"]}, "values": {"type": "string"}}}])";
  EXPECT_EQ(Validated(R"({"headers": {"X-A": "1", "X-B": true}})", headers),
            "fixtures/hello.json: config.headers.X-B: expected string, got boolean true");
  EXPECT_EQ(
      Validated(R"({"headers": {"X-C": "1"}})", headers),
      R"(fixtures/hello.json: config.headers: key "X-C": expected one of "X-A", "X-B", got "X-C")");
  EXPECT_EQ(Validated(R"({"headers": ["X-A"]})", headers),
            "fixtures/hello.json: config.headers: expected object, got array");
}

TEST(ConfigValidation, ReportsLengthsOutsideLenMinAndLenMax) {
  EXPECT_EQ(Validated(R"({"name": "ab"})", R"([{"name": {"type": "string", "len_min": 3}}])"),
            "fixtures/hello.json: config.name: expected at least 3 bytes, got 2");
  EXPECT_EQ(
      Validated(R"({"tags": ["a", "b"]})",
                R"([{"tags": {"type": "set", "elements": {"type": "string"}, "len_max": 1}}])"),
      "fixtures/hello.json: config.tags: expected at most 1 element, got 2");
}

TEST(ConfigValidation, TakesAWholeFloatForAnIntegerAndPassesItAsAnInteger) {
  EXPECT_EQ(Validated(R"({"n": 3.0})", R"([{"n": {"type": "integer"}}])"), R"({"n":3})");
  EXPECT_EQ(Validated(R"({"n": 3.5})", R"([{"n": {"type": "integer"}}])"),
            "fixtures/hello.json: config.n: expected integer, got number 3.5");
  EXPECT_EQ(Validated(R"({"n": 3.5})", R"([{"n": {"type": "number"}}])"), R"({"n":3.5})");
}

TEST(ConfigValidation, AWholeFloatPast64BitsStaysTheNumberKongTakes) {
  EXPECT_EQ(Validated(R"({"n": 6.6e24})", R"([{"n": {"type": "integer"}}])"), R"({"n":6.6e+24})");
  EXPECT_EQ(Validated(R"({"n": -9.3e18})", R"([{"n": {"type": "integer"}}])"), R"({"n":-9.3e+18})");
}

TEST(ConfigValidation, TakesAnyValueForAJsonField) {
  EXPECT_EQ(Validated(R"({"extra": {"any": [1, "thing"]}})", R"([{"extra": {"type": "json"}}])"),
            R"({"extra":{"any":[1,"thing"]}})");
}

TEST(ConfigValidation, ReportsAConfigThatIsNotAnObject) {
  const auto result = validate_config(json::array(), KongSchema(kMessage), kWhere);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "fixtures/hello.json: config: expected object, got array");
}

TEST(ConfigValidation, ReportsASchemaWithoutConfigRecord) {
  const auto result =
      validate_config(json::object(), json{{"name", "x"}, {"fields", json::array()}}, kWhere);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            R"(fixtures/hello.json: plugin schema: no "config" field in "fields")");
}

TEST(ConfigValidation, ReportsAFieldTypeItDoesNotKnowAsASchemaProblem) {
  EXPECT_EQ(
      Validated(R"({"owner": "x"})", R"([{"owner": {"type": "foreign"}}])"),
      R"(fixtures/hello.json: plugin schema: config.owner: unsupported field type "foreign")");
}

constexpr const char* kReferenceable = R"([
  {"password": {"type": "string", "referenceable": true, "one_of": ["a", "b"]}},
  {"plain": {"type": "string", "one_of": ["a", "b"]}},
  {"db": {"type": "record", "fields": [{"user": {"type": "string", "referenceable": true}}]}}
])";

TEST(ConfigValidation, ChecksAReferenceInAReferenceableFieldOnlyAsAString) {
  EXPECT_EQ(Validated(R"({"password": "{vault://env/pw}"})", kReferenceable),
            R"({"db":{},"password":"{vault://env/pw}"})");
  EXPECT_EQ(
      Validated(R"({"plain": "{vault://env/pw}"})", kReferenceable),
      R"(fixtures/hello.json: config.plain: expected one of "a", "b", got "{vault://env/pw}")");
}

TEST(ConfigReferences, ResolvesReferenceableFieldsAndKeepsTheReferencesPerRecord) {
  std::vector<std::string> warnings;
  const auto resolve = [](const std::string& reference, std::string& error) {
    if (reference == "{vault://env/pw}")
      return std::optional<std::string>("secret");
    error = "no value found";
    return std::optional<std::string>();
  };
  const json config = json::parse(
      R"({"password": "{vault://env/pw}", "db": {"user": "{vault://env/user}"}, "plain": "a"})");
  const json resolved =
      resolve_config_references(config, KongSchema(kReferenceable), resolve, warnings);
  EXPECT_EQ(
      resolved.dump(),
      R"({"$refs":{"password":"{vault://env/pw}"},"db":{"$refs":{"user":"{vault://env/user}"},"user":""},"password":"secret","plain":"a"})");
  EXPECT_EQ(warnings, std::vector<std::string>{
                          "unable to resolve reference {vault://env/user} (no value found)"});
}

}  // namespace
}  // namespace kong::mock
