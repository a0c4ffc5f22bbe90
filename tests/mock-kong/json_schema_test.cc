#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

// A private header of mock-kong: the validator is not part of kong::mock's API.
#include "fixture/json_schema.h"

namespace kong::mock {
namespace {

// The message of the first problem, or "valid".
std::string FirstProblem(const char* instance, const char* schema) {
  const Status status =
      validate_json(nlohmann::ordered_json::parse(instance), nlohmann::json::parse(schema));
  return status.ok() ? "valid" : status.error().message;
}

constexpr const char* kHeaders = R"({
  "$defs": {
    "value": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "expected": {"oneOf": [{"$ref": "#/$defs/value"}, {"type": "null"}]}
  },
  "type": "object",
  "properties": {
    "headers": {"type": "object", "additionalProperties": {"$ref": "#/$defs/value"}},
    "expected": {"type": "object", "additionalProperties": {"$ref": "#/$defs/expected"}}
  }
})";

TEST(JsonSchema, AcceptsADocumentThatMeetsEveryKeyword) {
  EXPECT_EQ(FirstProblem(R"({"name": "a", "port": 80, "tags": ["x"], "mode": "http", "v": 1})", R"({
    "title": "t", "description": "d", "$comment": "c",
    "type": "object",
    "properties": {
      "name": {"type": "string", "default": "n"},
      "port": {"type": "integer", "minimum": 1, "maximum": 65535},
      "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
      "mode": {"enum": ["http", "stream"]},
      "v": {"const": 1}
    },
    "required": ["name"],
    "additionalProperties": false
  })"),
            "valid");
}

TEST(JsonSchema, ReportsAWrongTypeExpectedBeforeActual) {
  EXPECT_EQ(FirstProblem(R"({"a": 3})", R"({"properties": {"a": {"type": "string"}}})"),
            "a: expected string, got number 3");
  EXPECT_EQ(FirstProblem(R"({"a": [1]})", R"({"properties": {"a": {"type": "object"}}})"),
            "a: expected object, got array");
}

TEST(JsonSchema, NamesEveryTypeOfATypeArray) {
  EXPECT_EQ(FirstProblem("true", R"({"type": ["string", "null"]})"),
            "expected string or null, got boolean true");
  EXPECT_EQ(FirstProblem("null", R"({"type": ["string", "null"]})"), "valid");
}

TEST(JsonSchema, CountsANumberWithoutFractionAsAnInteger) {
  EXPECT_EQ(FirstProblem("3.0", R"({"type": "integer"})"), "valid");
  EXPECT_EQ(FirstProblem("3.5", R"({"type": "integer"})"), "expected integer, got number 3.5");
  EXPECT_EQ(FirstProblem("3", R"({"type": "number"})"), "valid");
}

TEST(JsonSchema, ReportsAnUnknownKeyAtThePathOfItsObject) {
  EXPECT_EQ(FirstProblem(R"({"request": {"method": "GET", "mehtod": "POST"}})", R"({
    "properties": {"request": {"properties": {"method": {"type": "string"}},
                               "additionalProperties": false}}
  })"),
            R"(request: unknown key "mehtod")");
}

TEST(JsonSchema, ReportsUnknownKeysInDocumentOrder) {
  EXPECT_EQ(FirstProblem(R"({"zeta": 1, "alpha": 2})", R"({"additionalProperties": false})"),
            R"(unknown key "zeta")");
}

TEST(JsonSchema, ReportsAMissingRequiredKeyWithoutAPathAtTheTop) {
  EXPECT_EQ(FirstProblem("{}", R"({"required": ["cases"]})"), R"(missing required key "cases")");
  EXPECT_EQ(FirstProblem(R"({"cases": [{}]})",
                         R"({"properties": {"cases": {"items": {"required": ["name"]}}}})"),
            R"(cases[0]: missing required key "name")");
}

TEST(JsonSchema, ChecksKeysWithoutAPropertyAgainstAdditionalProperties) {
  EXPECT_EQ(FirstProblem(R"({"headers": {"Host": "a", "X-Id": 3}})", kHeaders),
            "headers.X-Id: expected string or array of strings, got number 3");
}

TEST(JsonSchema, WritesIndicesAndQuotesKeysThatWouldBreakThePath) {
  EXPECT_EQ(
      FirstProblem(
          R"([{"headers": {"x.y": 3}}, {"headers": {"a b": false}}])",
          R"({"items": {"properties": {"headers": {"additionalProperties": {"type": "string"}}}}})"),
      R"([0].headers["x.y"]: expected string, got number 3)");
}

TEST(JsonSchema, ReportsTooFewItems) {
  EXPECT_EQ(FirstProblem(R"({"cases": []})", R"({"properties": {"cases": {"minItems": 1}}})"),
            "cases: expected at least 1 item, got 0");
  EXPECT_EQ(FirstProblem("[1]", R"({"minItems": 2})"), "expected at least 2 items, got 1");
}

TEST(JsonSchema, ReportsAValueOutsideAnEnum) {
  EXPECT_EQ(FirstProblem(R"({"subsystem": "tcp"})",
                         R"({"properties": {"subsystem": {"enum": ["http", "stream"]}}})"),
            R"(subsystem: expected one of "http", "stream", got "tcp")");
  EXPECT_EQ(FirstProblem("2", R"({"enum": ["1.1", "2"]})"), R"(expected one of "1.1", "2", got 2)");
}

TEST(JsonSchema, ReportsAValueOtherThanItsConst) {
  EXPECT_EQ(FirstProblem(R"("b")", R"({"const": "a"})"), R"(expected "a", got "b")");
}

TEST(JsonSchema, ReportsANumberOutOfRange) {
  const char* port =
      R"({"properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}}})";
  EXPECT_EQ(FirstProblem(R"({"port": 70000})", port),
            "port: expected integer between 1 and 65535, got 70000");
  EXPECT_EQ(FirstProblem(R"({"port": 0})", port),
            "port: expected integer between 1 and 65535, got 0");
  EXPECT_EQ(FirstProblem("0.5", R"({"minimum": 1})"), "expected at least 1, got 0.5");
  EXPECT_EQ(FirstProblem("7", R"({"maximum": 5})"), "expected at most 5, got 7");
}

TEST(JsonSchema, OneOfWithoutAnAlternativeOfTheRightTypeListsEveryAlternative) {
  EXPECT_EQ(FirstProblem(R"({"expected": {"X-Gone": true}})", kHeaders),
            "expected.X-Gone: expected string or array of strings or null, got boolean true");
}

TEST(JsonSchema, OneOfReportsTheInnerProblemOfTheOnlyAlternativeOfTheRightType) {
  EXPECT_EQ(FirstProblem(R"({"headers": {"X-Id": ["1", 2]}})", kHeaders),
            "headers.X-Id[1]: expected string, got number 2");
}

TEST(JsonSchema, OneOfAcceptsEachAlternative) {
  EXPECT_EQ(FirstProblem(R"({"expected": {"a": "1", "b": ["1", "2"], "c": null}})", kHeaders),
            "valid");
}

TEST(JsonSchema, OneOfRejectsAValueMatchingTwoAlternatives) {
  EXPECT_EQ(FirstProblem("3", R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})"),
            "expected exactly one of integer, number to match, got number 3 matching 2");
}

TEST(JsonSchema, AnyOfAcceptsAValueMatchingSeveralAlternatives) {
  const char* schema = R"({"anyOf": [{"type": "integer"}, {"type": "number"}]})";
  EXPECT_EQ(FirstProblem("3", schema), "valid");
  EXPECT_EQ(FirstProblem(R"("3")", schema), R"(expected integer or number, got string "3")");
}

TEST(JsonSchema, OneOfOfConstsListsTheConsts) {
  EXPECT_EQ(FirstProblem(R"("c")", R"({"oneOf": [{"const": "a"}, {"const": "b"}]})"),
            R"(expected "a" or "b", got string "c")");
}

TEST(JsonSchema, ReportsARefThatLeadsNowhereAsASchemaProblem) {
  EXPECT_EQ(FirstProblem(R"({"a": 1})", R"({"properties": {"a": {"$ref": "#/$defs/nope"}}})"),
            R"(schema: $ref "#/$defs/nope" leads nowhere (checking a))");
}

TEST(JsonSchema, RejectsAKeywordItDoesNotImplementRatherThanIgnoringIt) {
  EXPECT_EQ(FirstProblem(R"("x")", R"({"type": "string", "pattern": "^y"})"),
            R"(schema: unsupported keyword "pattern")");
}

TEST(JsonSchema, FalseSchemaAcceptsNothing) {
  EXPECT_EQ(FirstProblem(R"({"a": 1})", R"({"properties": {"a": false}})"), R"(unknown key "a")");
}

TEST(JsonSchemaMessages, DescribeValuesByTypeAndValue) {
  using nlohmann::json;
  EXPECT_EQ(describe_value(json(3)), "number 3");
  EXPECT_EQ(describe_value(json(2.5)), "number 2.5");
  EXPECT_EQ(describe_value(json("tcp")), R"(string "tcp")");
  EXPECT_EQ(describe_value(json(true)), "boolean true");
  EXPECT_EQ(describe_value(json(nullptr)), "null");
  EXPECT_EQ(describe_value(json::array({1})), "array");
  EXPECT_EQ(describe_value(json::object()), "object");
}

TEST(JsonSchemaMessages, CutLongValuesWithoutSplittingACharacter) {
  const std::string text = std::string(55, 'a') + "\xC3\xA9\xC3\xA9\xC3\xA9";
  EXPECT_EQ(brief_dump(nlohmann::json(text)), "\"" + std::string(55, 'a') + "...");
  EXPECT_EQ(brief_dump(nlohmann::json("short")), R"("short")");
}

TEST(JsonSchemaMessages, PathsJoinKeysAndIndices) {
  EXPECT_EQ(path_with_key("", "cases"), "cases");
  EXPECT_EQ(path_with_index("cases", 1), "cases[1]");
  EXPECT_EQ(path_with_key("cases[1].request.headers", "X-Id"), "cases[1].request.headers.X-Id");
  EXPECT_EQ(path_with_key("h", ""), R"(h[""])");
}

}  // namespace
}  // namespace kong::mock
