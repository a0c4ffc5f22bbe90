// mock-kong --from-har: a HAR capture becomes a fixture that passes.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace kong::test {
namespace {

// --from-har's fixture in `dir`, its stderr in the result.
CommandResult Import(const ScratchDir& dir, const std::string& options) {
  return RunCommand(std::string(kMockKongBin) + " --from-har " + Source("tests/har/sample.har") +
                    " " + options + " > " + dir.file("fixture.json"));
}

TEST(FromHar, ACaptureWithBase64BodiesBecomesAFixtureThePluginPasses) {
  ScratchDir dir;
  const auto imported = Import(dir, "--expect-upstream --config '{\"message\": \"hi\"}'");
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  // The blocked request has no response to make an upstream of.
  EXPECT_NE(imported.out.find("left out: log.entries[2].response.status: no response was recorded"),
            std::string::npos)
      << imported.out;
  const auto fixture = nlohmann::json::parse(ReadFile(dir.file("fixture.json")));
  ASSERT_EQ(fixture["cases"].size(), 2u);
  const auto& upload = fixture["cases"][1];
  EXPECT_EQ(upload["name"], "POST /v1/upload");
  EXPECT_EQ(upload["request"]["url"], "http://api.example.com:8080/v1/upload");  // no #fragment
  EXPECT_EQ(upload["request"]["body_base64"], "AAH+/w==");
  EXPECT_EQ(upload["upstream"]["body_base64"], "iVBORw0KGgoAAAANSUhEUv8A");
  EXPECT_EQ(upload["expect"]["response"]["status"], 201);
  const auto& greet = fixture["cases"][0];
  // HTTP/2's :authority is the Host; HAR's decoded body has no encoding left.
  EXPECT_EQ(greet["request"]["headers"]["Host"], "api.example.com");
  EXPECT_EQ(greet["request"]["http_version"], "2");
  EXPECT_FALSE(greet["upstream"]["headers"].contains("content-encoding"));
  EXPECT_EQ(greet["upstream"]["headers"]["set-cookie"], nlohmann::json({"a=1", "b=2"}));

  const auto replayed = RunCommand(std::string(kMockKongBin) + " --replay " +
                                   dir.file("fixture.json") + " " + kHelloBin);
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_NE(replayed.out.find("2 cases: 2 passed, 0 failed"), std::string::npos) << replayed.out;
}

TEST(FromHar, WithoutExpectUpstreamTheExpectationsAreLeftToTheAuthor) {
  ScratchDir dir;
  ASSERT_EQ(Import(dir, "").exit_code, 0);
  const auto fixture = nlohmann::json::parse(ReadFile(dir.file("fixture.json")));
  EXPECT_EQ(fixture["config"], nlohmann::json::object());
  for (const auto& c : fixture["cases"])
    EXPECT_FALSE(c.contains("expect")) << c.dump();
}

TEST(FromHar, AFileThatIsNotHarOrABadConfigIsRefusedNamingIt) {
  ScratchDir dir;
  WriteFile(dir.file("not.har"), R"({"entries": []})");
  const auto not_har = RunCommand(std::string(kMockKongBin) + " --from-har " + dir.file("not.har"));
  EXPECT_EQ(not_har.exit_code, 2);
  EXPECT_NE(not_har.out.find(dir.file("not.har") + ": log: missing"), std::string::npos)
      << not_har.out;
  const auto bad_config = Import(dir, "--config '[1'");
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.out.find("--config: expected a JSON object, got [1"), std::string::npos)
      << bad_config.out;
}

}  // namespace
}  // namespace kong::test
