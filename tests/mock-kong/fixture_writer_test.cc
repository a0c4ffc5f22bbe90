#include "fixture/fixture_writer.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/mock/fixture.h"

#include "fixture/transcript_value.h"
#include "support/test_support.h"

namespace kong::mock {
namespace {

// Cases compare their settings by which copy they share; a written and
// re-read fixture has copies of its own, so compare what they hold.
bool SameCase(const Case& a, Case b) {
  if (*a.kong == *b.kong)
    b.kong = a.kong;
  return a == b;
}

// Parses `text`, writes it, parses what was written: the two fixtures agree
// field by field, and writing again gives the same text.
void ExpectRoundTrip(const std::string& text, const std::string& file) {
  const auto first = parse_fixture(text, file);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string written = fixture_to_json(*first).dump(2);
  const auto second = parse_fixture(written, file);
  ASSERT_TRUE(second.ok()) << second.error().message << "\n" << written;
  EXPECT_EQ(first->description, second->description) << file;
  EXPECT_EQ(first->config, second->config) << file;
  EXPECT_EQ(first->plugins, second->plugins) << file;
  EXPECT_EQ(*first->kong, *second->kong) << file;
  EXPECT_EQ(first->scope, second->scope) << file;
  ASSERT_EQ(first->cases.size(), second->cases.size()) << file;
  for (std::size_t i = 0; i < first->cases.size(); ++i) {
    EXPECT_TRUE(SameCase(first->cases[i], second->cases[i]))
        << file << " " << first->cases[i].path << " came back as\n"
        << case_to_json(second->cases[i]).dump(2) << "\nfrom\n"
        << case_to_json(first->cases[i]).dump(2);
  }
  EXPECT_EQ(fixture_to_json(*second).dump(2), written) << file;
}

TEST(FixtureWriter, EveryFixtureInTheRepositoryComesBackAsItWasRead) {
  int files = 0;
  for (const char* dir : {"examples", "tests/fidelity", "mock-kong/templates"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(test::Source(dir))) {
      if (entry.path().extension() != ".json" || entry.path().filename() == "package.json")
        continue;
      const std::string text = test::ReadFile(entry.path().string());
      if (!parse_fixture(text, entry.path().string()).ok())
        continue;  // not a fixture (a config, a go.mod's JSON, ...)
      ExpectRoundTrip(text, entry.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 40);
}

TEST(FixtureWriter, EveryFieldComesBackIncludingBinaryBodiesAndRepeatedHeaders) {
  ExpectRoundTrip(R"({
    "config": {"a": [1, {"b": null}], "c": "d"},
    "trusted_ips": ["10.0.0.0/8", "::1"], "real_ip_header": "X-Forwarded-For",
    "real_ip_recursive": true, "node": {"id": "n", "hostname": "h"}, "cluster_id": null,
    "consumers": [{"id": "c1", "username": "ann"}], "vault": {"env": {"A": "1"}},
    "upstreams": ["plain", {"name": "up", "targets": ["a:1", "[::1]:2"], "host_header": "h"}],
    "scope": "route",
    "fuzz": {"dictionary": ["tok"], "invariants": {"status": [200, 401],
             "response_headers": ["X-A"], "service_request_headers": ["X-B"]}},
    "cases": [
      {"name": "everything", "subsystem": "http",
       "request": {"method": "POST", "url": "https://a.test:8443/p%20q?x=1&x=2&flag",
                   "http_version": "2", "headers": {"X-A": ["1", "2"], "x-b": ""},
                   "body_base64": "/wCAgQ=="},
       "client": {"ip": "::1", "port": 1, "tls": {"version": "TLSv1.2", "cipher": "C",
                  "certificate_chain": "PEM", "client_verify": "FAILED:x"}},
       "route": {"id": "r"}, "service": {"id": "s", "host": "up"},
       "upstream": {"status": 503, "headers": {"Set-Cookie": ["a=1", "b=2"]}, "body": "é"},
       "scope": "consumer", "uri_captures": {"unnamed": ["/p"], "named": {}},
       "consumer": {"id": "c1"}, "credential": {"key": "k"},
       "nginx_vars": {"x": "1", "y": null},
       "expect": {"response": {"status": 200, "headers": {"X-A": ["1"], "X-B": "2", "X-C": null},
                               "body_base64": "AAE=", "json_body": null},
                  "service_request": {"headers": {"H": "v"}, "method": "PUT", "path": "/p",
                                      "raw_query": "", "body": "b"},
                  "log": [{"level": "err", "contains": "x"}], "phases": ["access"],
                  "errors": []}},
      {"name": "stream", "subsystem": "stream", "request": {"url": "https://a.test:9000/"}},
      {"name": "recorded", "transcript": [
        {"phase": "access", "method": "kong.request.get_header", "args": ["h"], "answer": "v"},
        {"phase": "access", "method": "kong.x", "args": [{"$base64": "/w=="}], "error": "e"},
        {"phase": "log", "method": "kong.y", "args": [{"$map": [[1, "a"]]}], "answer": null},
        {"phase": "access", "method": "kong.response.exit", "args": [403]}]},
      {"name": "defaults"}]})",
                  "every-field.json");
}

TEST(FixtureWriter, SeveralPluginsAndTheExpectationsOfEachComeBack) {
  ExpectRoundTrip(R"({
    "plugins": [{"name": "a", "config": {"x": 1}, "scope": "service"}, {"name": "b"}],
    "cases": [{"name": "c", "expect": {"plugins": {
      "a": {"phases": ["access", "log"], "errors": ["e"], "log": [{"level": "info", "contains": "x"}]},
      "b": {}}}}]})",
                  "plugins.json");
}

TEST(FixtureWriter, ABodyThatIsNotUtf8IsWrittenAsBase64) {
  Fixture fixture;
  Case c;
  c.name = "binary";
  c.request.body = std::string("\xff\x00\x01", 3);
  fixture.cases.push_back(c);
  const auto written = fixture_to_json(fixture);
  EXPECT_EQ(written["cases"][0]["request"]["body_base64"], "/wAB");
  EXPECT_FALSE(written["cases"][0]["request"].contains("body"));
}

TEST(TranscriptValues, EveryWireValueComesBackIncludingBytesAndMapsJsonCannotHold) {
  using protocol::Array;
  using protocol::Map;
  using protocol::Value;
  const Value values[] = {
      Value(),
      Value(Array{Value(true), Value(-3), Value(2.5), Value("é")}),
      Value(std::string("\xff\x00", 2)),
      Value(Map{{Value(1), Value("first")}, {Value("named"), Value("x")}}),
      Value(Map{{Value("$base64"), Value("not bytes")}}),
      Value(Map{{Value("k"), Value(1)}, {Value("k"), Value(2)}}),
      Value(Map{{Value("a"), Value(Array{})}, {Value("b"), Value(Map{})}}),
  };
  for (const Value& v : values) {
    const nlohmann::json written = transcript_json(v);
    // Through text, as a fixture file carries it.
    const auto back = transcript_value(nlohmann::json::parse(written.dump()));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(transcript_json(*back), written);
    EXPECT_EQ(protocol::to_debug_string(*back), protocol::to_debug_string(v)) << written.dump();
  }
  EXPECT_EQ(transcript_json(Value(std::string("\xff\x00", 2))),
            nlohmann::json({{"$base64", "/wA="}}));
  EXPECT_EQ(transcript_json(Value(Map{{Value("a"), Value(1)}})), nlohmann::json({{"a", 1}}));
}

}  // namespace
}  // namespace kong::mock
