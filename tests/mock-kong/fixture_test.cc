#include "kong/mock/fixture.h"

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/mock/kong_state.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr const char* kFile = "fixtures/hello.json";

// The error message of parsing `text`, or "parsed".
std::string ErrorOf(const std::string& text) {
  const auto fixture = parse_fixture(text, kFile);
  return fixture.ok() ? "parsed" : fixture.error().message;
}

// A fixture with one case whose body is `case_json` (without braces).
std::string OneCase(const std::string& case_json) {
  return R"({"cases": [{"name": "c", )" + case_json + "}]}";
}

// The example of design.md, "Fixture format".
constexpr const char* kDesignExample = R"({
  "$schema": "./fixture.schema.json",
  "description": "the example of the design",
  "config": {"message": "hi"},
  "cases": [{
    "name": "greets the caller",
    "subsystem": "http",
    "request": {"method": "GET", "url": "https://example.com/v1?a=1&a=2&debug",
                "headers": {"Host": "example.com", "X-Id": ["1", "2"]},
                "body": ""},
    "client": {"ip": "10.0.0.5", "port": 40123},
    "route": {"name": "r1", "paths": ["/v1"]},
    "service": {"name": "s1", "host": "upstream.local", "port": 80},
    "upstream": {"status": 200, "headers": {}, "body": "ok"},
    "expect": {
      "response": {"status": 200, "headers": {"x-hello-from-cpp": "C++ says hi to example.com"},
                   "body": "ok"},
      "service_request": {"headers": {"x-added": "1"}},
      "log": [{"level": "info", "contains": "greeted"}],
      "phases": ["access", "response", "log"]
    }
  }]
})";

TEST(FixtureParsing, ReadsEveryFieldOfTheDesignExample) {
  const auto fixture = parse_fixture(kDesignExample, kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->file, kFile);
  EXPECT_EQ(fixture->config, nlohmann::json({{"message", "hi"}}));
  ASSERT_EQ(fixture->cases.size(), 1u);
  const Case& c = fixture->cases[0];
  EXPECT_EQ(c.name, "greets the caller");
  EXPECT_EQ(c.path, "cases[0]");
  EXPECT_EQ(c.request.url, "https://example.com/v1?a=1&a=2&debug");
  EXPECT_EQ(c.client.ip, "10.0.0.5");
  EXPECT_EQ(c.client.port, 40123);
  EXPECT_EQ(c.route, nlohmann::json::parse(R"({"name": "r1", "paths": ["/v1"]})"));
  EXPECT_EQ(c.service["host"], "upstream.local");
  ASSERT_TRUE(c.upstream.has_value());
  EXPECT_EQ(c.upstream->body, "ok");
  ASSERT_TRUE(c.expect.response.has_value());
  EXPECT_EQ(c.expect.response->status, 200);
  EXPECT_EQ(c.expect.response->body, "ok");
  ASSERT_EQ(c.expect.response->headers.size(), 1u);
  EXPECT_EQ(c.expect.response->headers[0].name, "x-hello-from-cpp");
  ASSERT_TRUE(c.expect.service_request.has_value());
  EXPECT_EQ(c.expect.service_request->headers[0].name, "x-added");
  ASSERT_EQ(c.expect.log.size(), 1u);
  EXPECT_EQ(c.expect.log[0].level, "info");
  EXPECT_EQ(c.expect.log[0].contains, "greeted");
  EXPECT_EQ(c.expect.phases, (std::vector<std::string>{"access", "response", "log"}));
}

TEST(FixtureParsing, AppliesDefaultsToEverythingLeftOut) {
  const auto fixture = parse_fixture(R"({"cases": [{"name": "bare"}]})", kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->config, nlohmann::json::object());
  const Case& c = fixture->cases[0];
  EXPECT_EQ(c.subsystem, "http");
  EXPECT_EQ(c.request.method, "GET");
  EXPECT_EQ(c.request.url, "http://localhost/");
  EXPECT_EQ(c.request.http_version, "1.1");
  EXPECT_TRUE(c.request.headers.empty());
  EXPECT_EQ(c.request.body, "");
  EXPECT_EQ(c.client.ip, "127.0.0.1");
  EXPECT_EQ(c.client.port, 40000);
  EXPECT_TRUE(c.route.is_null());
  EXPECT_TRUE(c.service.is_null());
  EXPECT_FALSE(c.upstream.has_value()) << "no upstream means the echo service";
  EXPECT_FALSE(c.expect.response.has_value());
  EXPECT_FALSE(c.expect.service_request.has_value());
  EXPECT_TRUE(c.expect.log.empty());
  EXPECT_FALSE(c.expect.phases.has_value());
}

TEST(FixtureParsing, FillsDefaultsInsideAPartlyGivenUpstream) {
  const auto fixture = parse_fixture(OneCase(R"("upstream": {"body": "hi"})"), kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  ASSERT_TRUE(fixture->cases[0].upstream.has_value());
  EXPECT_EQ(fixture->cases[0].upstream->status, 200);
  EXPECT_EQ(fixture->cases[0].upstream->body, "hi");
}

TEST(FixtureParsing, NamesEachCaseByItsIndex) {
  const auto fixture = parse_fixture(R"({"cases": [{"name": "a"}, {"name": "b"}]})", kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->cases[1].name, "b");
  EXPECT_EQ(fixture->cases[1].path, "cases[1]");
}

TEST(FixtureParsing, KeepsHeadersInTheOrderWrittenAndRepeatsArrayValues) {
  const auto fixture = parse_fixture(
      OneCase(R"("request": {"headers": {"Zeta": "z", "X-Id": ["1", "2"], "Alpha": "a"}},
                 "upstream": {"headers": {"Set-Cookie": ["b=2", "a=1"], "Age": "3"}})"),
      kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_THAT(
      fixture->cases[0].request.headers,
      ElementsAre(Pair("Zeta", "z"), Pair("X-Id", "1"), Pair("X-Id", "2"), Pair("Alpha", "a")));
  EXPECT_THAT(fixture->cases[0].upstream->headers,
              ElementsAre(Pair("Set-Cookie", "b=2"), Pair("Set-Cookie", "a=1"), Pair("Age", "3")));
}

TEST(FixtureParsing, ReadsExpectedHeadersAsFirstValueAllValuesOrAbsent) {
  const auto fixture = parse_fixture(
      OneCase(
          R"("expect": {"response": {"headers": {"x-one": "1", "x-all": ["1", "2"], "x-gone": null}}})"),
      kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  const auto& headers = fixture->cases[0].expect.response->headers;
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].name, "x-one");
  EXPECT_EQ(headers[0].values, std::vector<std::string>{"1"});
  EXPECT_FALSE(headers[0].all_values);
  EXPECT_EQ(headers[1].name, "x-all");
  EXPECT_EQ(headers[1].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(headers[1].all_values);
  EXPECT_EQ(headers[2].name, "x-gone");
  EXPECT_FALSE(headers[2].values.has_value()) << "null means the header must be absent";
}

TEST(FixtureParsing, ReadsJsonBodyAsJsonAndTellsNullFromAbsent) {
  const auto fixture = parse_fixture(R"({"cases": [
      {"name": "a", "expect": {"response": {"json_body": {"b": [1, 2], "a": "x"}}}},
      {"name": "b", "expect": {"response": {"json_body": null}}},
      {"name": "c", "expect": {"response": {"status": 204}}}]})",
                                     kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->cases[0].expect.response->json_body,
            nlohmann::json::parse(R"({"a": "x", "b": [1, 2]})"));
  ASSERT_TRUE(fixture->cases[1].expect.response->json_body.has_value());
  EXPECT_TRUE(fixture->cases[1].expect.response->json_body->is_null());
  EXPECT_FALSE(fixture->cases[2].expect.response->json_body.has_value());
}

TEST(FixtureParsing, ReadsServiceRequestExpectations) {
  const auto fixture = parse_fixture(
      OneCase(
          R"("subsystem": "stream", "expect": {"service_request": {"method": "POST", "path": "/v1",
                 "raw_query": "a=1", "body": "x", "headers": {"x-gone": null}}})"),
      kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->cases[0].subsystem, "stream");
  const auto& expected = *fixture->cases[0].expect.service_request;
  EXPECT_EQ(expected.method, "POST");
  EXPECT_EQ(expected.path, "/v1");
  EXPECT_EQ(expected.raw_query, "a=1");
  EXPECT_EQ(expected.body, "x");
  EXPECT_FALSE(expected.headers[0].values.has_value());
}

TEST(FixtureParsing, ReportsFileAndPathOfAHeaderWithAWrongType) {
  EXPECT_EQ(
      ErrorOf(R"({"cases": [{"name": "a"}, {"name": "b", "request": {"headers": {"X-Id": 3}}}]})"),
      "fixtures/hello.json: cases[1].request.headers.X-Id: expected string or array of strings, "
      "got number 3");
}

TEST(FixtureParsing, ReportsTheElementOfAnArrayHeaderWithAWrongType) {
  EXPECT_EQ(
      ErrorOf(OneCase(R"("upstream": {"headers": {"X-Id": ["1", true]}})")),
      "fixtures/hello.json: cases[0].upstream.headers.X-Id[1]: expected string, got boolean true");
}

TEST(FixtureParsing, ReportsAnUnknownKeyWithItsObject) {
  EXPECT_EQ(ErrorOf(OneCase(R"("request": {"mehtod": "POST"})")),
            R"(fixtures/hello.json: cases[0].request: unknown key "mehtod")");
  EXPECT_EQ(ErrorOf(R"({"cases": [{"name": "a"}], "confg": {}})"),
            R"(fixtures/hello.json: unknown key "confg")");
}

TEST(FixtureParsing, ReportsAMissingRequiredKey) {
  EXPECT_EQ(ErrorOf(R"({"cases": [{"request": {}}]})"),
            R"(fixtures/hello.json: cases[0]: missing required key "name")");
  EXPECT_EQ(ErrorOf(R"({"config": {}})"), R"(fixtures/hello.json: missing required key "cases")");
  EXPECT_EQ(ErrorOf(OneCase(R"("expect": {"log": [{"level": "info"}]})")),
            R"(fixtures/hello.json: cases[0].expect.log[0]: missing required key "contains")");
}

TEST(FixtureParsing, RequiresAtLeastOneCase) {
  EXPECT_EQ(ErrorOf(R"({"cases": []})"),
            "fixtures/hello.json: cases: expected at least 1 item, got 0");
}

TEST(FixtureParsing, ReportsAValueOutsideItsChoices) {
  EXPECT_EQ(
      ErrorOf(OneCase(R"("subsystem": "tcp")")),
      R"(fixtures/hello.json: cases[0].subsystem: expected one of "http", "stream", got "tcp")");
  EXPECT_EQ(
      ErrorOf(OneCase(R"("request": {"http_version": 2})")),
      R"(fixtures/hello.json: cases[0].request.http_version: expected one of "1.0", "1.1", "2", got 2)");
  EXPECT_EQ(
      ErrorOf(OneCase(R"("expect": {"log": [{"level": "error", "contains": "x"}]})")),
      "fixtures/hello.json: cases[0].expect.log[0].level: expected one of \"alert\", \"crit\", "
      "\"err\", \"warn\", \"notice\", \"info\", \"debug\", got \"error\"");
  EXPECT_EQ(ErrorOf(OneCase(R"("expect": {"phases": ["access", "header_filter"]})")),
            "fixtures/hello.json: cases[0].expect.phases[1]: expected one of \"certificate\", "
            "\"rewrite\", \"access\", \"response\", \"preread\", \"log\", got \"header_filter\"");
}

TEST(FixtureParsing, ReportsNumbersOutOfRange) {
  EXPECT_EQ(
      ErrorOf(OneCase(R"("client": {"port": 70000})")),
      "fixtures/hello.json: cases[0].client.port: expected integer between 1 and 65535, got 70000");
  EXPECT_EQ(ErrorOf(OneCase(R"("upstream": {"status": 99})")),
            "fixtures/hello.json: cases[0].upstream.status: expected integer between 100 and 999, "
            "got 99");
  EXPECT_EQ(ErrorOf(OneCase(R"("client": {"port": "80"})")),
            R"(fixtures/hello.json: cases[0].client.port: expected integer, got string "80")");
}

TEST(FixtureParsing, ReportsAWrongTypeOfAnExpectedHeader) {
  EXPECT_EQ(
      ErrorOf(OneCase(R"("expect": {"response": {"headers": {"x-a": 1}}})")),
      "fixtures/hello.json: cases[0].expect.response.headers.x-a: expected string or array of "
      "strings or null, got number 1");
}

TEST(FixtureParsing, ReportsInvalidJsonWithFileLineColumnAndByte) {
  EXPECT_EQ(ErrorOf("{\n  \"cases\": [}\n"),
            "fixtures/hello.json: invalid JSON at line 2, column 13 (byte 15): syntax error while "
            "parsing value - unexpected '}'; expected '[', '{', or a literal");
  EXPECT_THAT(ErrorOf(""),
              StartsWith("fixtures/hello.json: invalid JSON at line 1, column 1 (byte 1): "));
}

TEST(FixtureParsing, ANumberPastTheRangeOfADoubleIsInvalidJsonAtItsByte) {
  EXPECT_EQ(ErrorOf(R"({"cases": 1e999})"),
            "fixtures/hello.json: invalid JSON at byte 15: a number out of range: 1e999");
}

TEST(FixtureParsing, ReportsADuplicateKeyInsteadOfDroppingAValue) {
  EXPECT_EQ(
      ErrorOf(OneCase(R"("request": {"headers": {"Set-Cookie": "a=1", "Set-Cookie": "b=2"}})")),
      "fixtures/hello.json: cases[0].request.headers: duplicate key \"Set-Cookie\" (repeated "
      "headers are written as an array of values)");
  EXPECT_EQ(
      ErrorOf(R"({"cases": [{"name": "a"}, {"name": "b"}, {"name": "c", "name": "d"}]})"),
      "fixtures/hello.json: cases[2]: duplicate key \"name\" (repeated headers are written as an "
      "array of values)");
}

TEST(FixtureParsing, AllowsDescriptionAndSchemaKeysAtTheTop) {
  EXPECT_EQ(
      ErrorOf(
          R"({"$schema": "fixture.schema.json", "description": "d", "cases": [{"name": "a"}]})"),
      "parsed");
}

TEST(FixtureParsing, ReadsUpstreamTargetsAndRefusesOneThatIsNoHostAndPort) {
  const auto fixture = parse_fixture(
      R"({"upstreams": [{"name": "b", "targets": ["10.0.0.7:8080", "[::1]", "api.internal"],
                         "host_header": "b.example"}],
          "cases": [{"name": "a"}]})",
      kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  const UpstreamEntity* b = find_upstream(*fixture->cases[0].kong, "b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->host_header, "b.example");
  EXPECT_EQ(parse_target(b->targets[0])->port, 8080);
  EXPECT_EQ(parse_target(b->targets[1])->host, "[::1]");
  EXPECT_EQ(parse_target(b->targets[2])->port, 8000);  // Kong's default
  const auto bad = parse_fixture(
      R"({"upstreams": [{"name": "b", "targets": ["a:99999"]}], "cases": [{"name": "a"}]})", kFile);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message,
              HasSubstr("upstreams[0].targets[0]: expected host:port (port 0 to 65535)"));
}

TEST(FixtureParsing, ReadsScopeAtTheTopAndLetsACaseOverrideIt) {
  const auto fixture = parse_fixture(
      R"({"scope": "route", "upstreams": ["backend"],
          "cases": [{"name": "a"}, {"name": "b", "scope": "global"}]})",
      kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->cases[0].scope, "route");
  EXPECT_EQ(fixture->cases[1].scope, "global");
  EXPECT_THAT(fixture->cases[0].kong->upstreams,
              ElementsAre(UpstreamEntity{"backend", {}, std::nullopt}));
  const auto plain = parse_fixture(OneCase(R"("request": {})"), kFile);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->cases[0].scope, "global");
  EXPECT_TRUE(plain->cases[0].uri_captures.is_null());
}

TEST(FixtureParsing, ReadsUriCapturesAndReportsABadOne) {
  const auto fixture = parse_fixture(
      OneCase(R"("uri_captures": {"unnamed": ["/u/7", "7"], "named": {"id": "7"}})"), kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->cases[0].uri_captures["named"]["id"], "7");
  EXPECT_EQ(ErrorOf(OneCase(R"("scope": "plugin")")),
            "fixtures/hello.json: cases[0].scope: expected one of \"global\", \"route\", "
            "\"service\", \"consumer\", got \"plugin\"");
  EXPECT_THAT(ErrorOf(OneCase(R"("uri_captures": {"unnamed": [1]})")),
              StartsWith("fixtures/hello.json: cases[0].uri_captures.unnamed[0]: "));
}

// A case nested `depth` levels deep under `key` ("config", "route", ...).
std::string Nested(const std::string& where, int depth) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += R"({"a": )";
    close += "}";
  }
  return where + open + "1" + close;
}

TEST(HostileFixtures, ANestingDeeperThanKongsDecoderIsRefusedNamingWhere) {
  for (const char* where : {R"({"config": )", R"({"cases": [{"name": "c", "route": )",
                            R"({"cases": [{"name": "c", "expect": {"response": {"json_body": )"}) {
    const std::string message = ErrorOf(Nested(where, 100000));
    EXPECT_THAT(message, HasSubstr("nested deeper than 1000 arrays and objects, which Kong's "
                                   "JSON decoder refuses too"))
        << where;
    EXPECT_THAT(message, StartsWith(std::string(kFile) + ": ")) << where;
  }
  EXPECT_THAT(ErrorOf(Nested(R"({"config": )", 100000)), HasSubstr("hello.json: config.a.a.a.a"));
}

TEST(HostileFixtures, ANestingKongDecodesIsRead) {
  const std::string text = Nested(R"({"cases": [{"name": "c"}], "config": )", 990) + "}";
  EXPECT_EQ(ErrorOf(text), "parsed");
}

TEST(HostileFixtures, URLProblemsAreFixtureErrorsNamingTheCase) {
  const struct {
    std::string url;
    std::string says;
  } cases[] = {
      {"example.com/x", "cases[0].request.url: expected an absolute URL like http://host/path"},
      {"ftp://a/", "cases[0].request.url: expected scheme http or https, got \"ftp\""},
      {"http://a:99999/", "cases[0].request.url: expected a port between 1 and 65535"},
      {"http://user:pw@a/",
       "cases[0].request.url: \"user:pw@\" is not part of a request nginx "
       "receives: send credentials in an Authorization header"},
      {"http://[::zz]/",
       "cases[0].request.url: expected an IPv6 address between [ and ], got "
       "\"::zz\""},
      {"http://a b/", "cases[0].request.url: expected a host name or address, got \"a b\""},
      {"http://a/%zz", "cases[0].request.url: nginx answers 400 Bad Request to the path \"/%zz\""},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(ErrorOf(OneCase(R"("request": {"url": ")" + c.url + R"("})")), HasSubstr(c.says))
        << c.url;
  }
}

TEST(HostileFixtures, HeadersNginxWouldRefuseOrDropAreFixtureErrorsNamingTheHeader) {
  const struct {
    std::string headers;
    std::string says;
  } cases[] = {
      {R"({"X-A": "v\r\nX-Injected: 1"})",
       R"(cases[0].request.headers.X-A: a header value cannot hold CR, LF or NUL)"},
      {R"({"X-A": ["ok", "v\nw"]})", R"(cases[0].request.headers.X-A[1]: a header value cannot)"},
      {R"({"X-A": "nul\u0000"})", R"(cases[0].request.headers.X-A: a header value cannot)"},
      {R"({"": "v"})", "cases[0].request.headers: a header name cannot be empty"},
      {R"({"X A": "v"})", R"(cases[0].request.headers["X A"]: nginx ignores a header whose name)"},
      {R"({"X:A": "v"})", R"(cases[0].request.headers.X:A: nginx ignores a header whose name)"},
      {R"({"Ünï": "v"})", R"(nginx ignores a header whose name holds anything but letters)"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(ErrorOf(OneCase(R"("request": {"headers": )" + c.headers + "}")), HasSubstr(c.says))
        << c.headers;
  }
  EXPECT_THAT(ErrorOf(OneCase(R"("upstream": {"headers": {"X-B": "a\rb"}})")),
              HasSubstr("cases[0].upstream.headers.X-B: a header value cannot hold CR"));
  EXPECT_EQ(ErrorOf(OneCase(R"("request": {"headers": {"X_Under-score9": "tab\tok"}})")), "parsed");
}

TEST(HostileFixtures, AFragmentStaysWithTheClientAndAnIpv6HostKeepsItsBrackets) {
  auto fixture =
      parse_fixture(OneCase(R"("request": {"url": "http://[::1]:8080/x?a=1#frag"})"), kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  auto state = initial_state(fixture->cases[0]);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->url.host, "::1");
  EXPECT_EQ(state->url.path, "/x");
  EXPECT_EQ(state->url.raw_query, "a=1");
  EXPECT_EQ(state->received_headers.first("host"), "[::1]:8080");
  auto fragment = parse_fixture(OneCase(R"("request": {"url": "http://a/p#frag"})"), kFile);
  ASSERT_TRUE(fragment.ok());
  EXPECT_EQ(initial_state(fragment->cases[0])->url.path, "/p");
}

TEST(HostileFixtures, TwoCasesWithOneNameAreAnError) {
  EXPECT_THAT(
      ErrorOf(R"({"cases": [{"name": "same"}, {"name": "same"}]})"),
      HasSubstr("cases[1].name: \"same\" is the name of cases[0] too; each case needs its own"));
}

TEST(BinaryBodies, Base64BodiesCarryAnyBytesToTheRequestUpstreamAndExpectations) {
  auto fixture = parse_fixture(OneCase(R"(
      "request": {"body_base64": "/wABgA=="},
      "upstream": {"body_base64": "AP8="},
      "expect": {"response": {"body_base64": "w7/A"},
                 "service_request": {"body_base64": ""}})"),
                               kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  const Case& c = fixture->cases[0];
  EXPECT_EQ(c.request.body, std::string("\xff\x00\x01\x80", 4));
  ASSERT_TRUE(c.upstream.has_value());
  EXPECT_EQ(c.upstream->body, std::string("\x00\xff", 2));
  EXPECT_EQ(c.expect.response->body, "\xc3\xbf\xc0");
  EXPECT_EQ(c.expect.service_request->body, "");
}

TEST(BinaryBodies, BadBase64AndABodyGivenTwiceAreErrorsNamingTheField) {
  EXPECT_THAT(ErrorOf(OneCase(R"("request": {"body_base64": "abc"})")),
              HasSubstr("cases[0].request.body_base64: expected base64 (A-Z a-z 0-9 + /, padded "
                        "with = to a multiple of 4 characters), got \"abc\""));
  EXPECT_THAT(ErrorOf(OneCase(R"("upstream": {"body_base64": "a=bc"})")),
              HasSubstr("cases[0].upstream.body_base64: expected base64"));
  EXPECT_THAT(ErrorOf(OneCase(R"("request": {"body": "x", "body_base64": "eA=="})")),
              HasSubstr("cases[0].request: give body or body_base64, not both"));
}

TEST(Transcripts, ReadsEachCallWithItsAnswerItsErrorOrNeither) {
  const auto fixture = parse_fixture(OneCase(R"("transcript": [
      {"phase": "access", "method": "kong.request.get_header", "args": ["host"],
       "answer": "example.com"},
      {"phase": "access", "method": "kong.request.get_headers", "args": [], "answer": null},
      {"phase": "access", "method": "kong.response.exit", "args": [403, {"$base64": "/w=="}]},
      {"phase": "log", "method": "kong.nope", "args": [], "error": "attempt to call a nil value"}
    ])"),
                                     kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  const auto& t = fixture->cases[0].transcript;
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->size(), 4u);
  EXPECT_EQ((*t)[0].phase, "access");
  EXPECT_EQ((*t)[0].method, "kong.request.get_header");
  EXPECT_EQ((*t)[0].args, nlohmann::json::array({"host"}));
  EXPECT_EQ((*t)[0].answer, nlohmann::json("example.com"));
  EXPECT_EQ((*t)[1].answer, nlohmann::json(nullptr));  // answered nil: given, null
  EXPECT_FALSE((*t)[2].answer.has_value());            // no answer at all
  EXPECT_EQ((*t)[3].error, "attempt to call a nil value");
  EXPECT_FALSE(parse_fixture(OneCase(R"("request": {})"), kFile)->cases[0].transcript);
}

TEST(Transcripts, ABadEntryIsAnErrorNamingIt) {
  EXPECT_THAT(ErrorOf(OneCase(R"("transcript": [{"phase": "access", "method": "m", "args": [],
      "answer": 1, "error": "e"}])")),
              HasSubstr("cases[0].transcript[0]: give answer or error, not both"));
  EXPECT_THAT(ErrorOf(OneCase(R"("transcript": [{"phase": "access", "method": "m",
      "args": [1, {"$base64": "abc"}]}])")),
              HasSubstr("cases[0].transcript[0].args[1].$base64: expected padded base64 text, got "
                        "\"abc\""));
  EXPECT_THAT(ErrorOf(OneCase(R"("transcript": [{"phase": "access", "method": "m", "args": [],
      "answer": {"$map": [[1]]}}])")),
              HasSubstr("cases[0].transcript[0].answer.$map[0]: expected a [key, value] pair"));
  EXPECT_THAT(ErrorOf(OneCase(R"("transcript": [{"phase": "header_filter", "method": "m",
      "args": []}])")),
              HasSubstr("cases[0].transcript[0].phase"));
}

TEST(SeveralPlugins, ReadsEachPluginAndTheExpectationsOfEach) {
  const auto fixture = parse_fixture(R"({
    "plugins": [{"name": "a", "config": {"x": 1}, "scope": "route"}, {"name": "b"}],
    "cases": [{"name": "c", "expect": {"plugins": {"a": {"phases": ["access"],
      "errors": [], "log": [{"level": "info", "contains": "hi"}]}}}}]})",
                                     kFile);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  ASSERT_EQ(fixture->plugins.size(), 2u);
  EXPECT_EQ(fixture->plugins[0], (FixturePlugin{"a", {{"x", 1}}, "route"}));
  EXPECT_EQ(fixture->plugins[1], (FixturePlugin{"b", nlohmann::json::object(), "global"}));
  const auto& a = fixture->cases[0].expect.plugins.at("a");
  EXPECT_EQ(a.phases, std::vector<std::string>{"access"});
  EXPECT_EQ(a.errors, std::vector<std::string>{});
  ASSERT_EQ(a.log.size(), 1u);
  EXPECT_EQ(a.log[0].contains, "hi");
}

TEST(SeveralPlugins, PluginsWithConfigOrScopeOrANameTwiceAreErrors) {
  EXPECT_THAT(ErrorOf(R"({"plugins": [{"name": "a"}], "config": {}, "cases": [{"name": "c"}]})"),
              HasSubstr("give plugins, or config: each plugin of plugins has its own"));
  EXPECT_THAT(
      ErrorOf(R"({"plugins": [{"name": "a"}], "scope": "route", "cases": [{"name": "c"}]})"),
      HasSubstr("give plugins, or scope"));
  EXPECT_THAT(ErrorOf(R"({"plugins": [{"name": "a"}, {"name": "a"}], "cases": [{"name": "c"}]})"),
              HasSubstr("plugins[1].name: a is named twice"));
  EXPECT_THAT(ErrorOf(R"({"plugins": [{"name": ""}], "cases": [{"name": "c"}]})"),
              HasSubstr("plugins[0].name: a plugin's name cannot be empty"));
}

TEST(FixtureLoading, ReadsAFile) {
  test::ScratchDir dir;
  const std::string file = dir.file("f.json");
  std::ofstream(file) << kDesignExample;
  const auto fixture = load_fixture(file);
  ASSERT_TRUE(fixture.ok()) << fixture.error().message;
  EXPECT_EQ(fixture->file, file);
  EXPECT_EQ(fixture->cases[0].name, "greets the caller");
}

TEST(FixtureLoading, NamesAFileThatCannotBeOpened) {
  test::ScratchDir dir;
  const std::string file = dir.file("missing.json");
  const auto fixture = load_fixture(file);
  ASSERT_FALSE(fixture.ok());
  EXPECT_EQ(fixture.error().message, file + ": cannot open: No such file or directory");
}

TEST(FixtureLoading, NamesADirectoryGivenAsTheFile) {
  test::ScratchDir dir;
  const auto fixture = load_fixture(dir.path());
  ASSERT_FALSE(fixture.ok());
  EXPECT_EQ(fixture.error().message, dir.path() + ": cannot read: Is a directory");
}

TEST(FixtureSchema, CompiledInSchemaIsTheShippedFile) {
  std::ifstream in(std::string(test::kSourceDir) + "/fixtures/fixture.schema.json",
                   std::ios::binary);
  ASSERT_TRUE(in) << "cannot open fixtures/fixture.schema.json";
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(fixture_schema_text(), text.str());
}

TEST(FixtureSchema, DescribesEveryPropertyWithItsDefault) {
  const auto schema = nlohmann::json::parse(fixture_schema_text());
  // Every property, at the top and in $defs, says what happens when it is left out.
  std::vector<const nlohmann::json*> objects{&schema};
  for (const auto& [name, def] : schema["$defs"].items())
    objects.push_back(&def);
  for (const auto* object : objects) {
    if (!object->contains("properties"))
      continue;
    for (const auto& [name, property] : (*object)["properties"].items()) {
      if (property.contains("$ref"))
        continue;
      const std::string description = property.value("description", "");
      EXPECT_THAT(description, ::testing::AnyOf(HasSubstr("Default"), HasSubstr("default"),
                                                HasSubstr("Required")))
          << name;
    }
  }
}

}  // namespace
}  // namespace kong::mock
