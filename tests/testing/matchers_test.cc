// The matchers compare what they name and explain a failure with
// mock-kong's mismatch lines.
#include <sstream>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// The library without MockPdk, whose 110 mock methods cost every file that
// includes them seconds of compile time.
#include "kong/testing/case.h"
#include "kong/testing/fixture.h"
#include "kong/testing/matchers.h"
#include "kong/testing/plugin.h"
#include "kong/testing/replay.h"

namespace kong::testing {
namespace {

struct Teapot {
  static constexpr auto fields() { return std::tuple{}; }
  void access(Pdk& kong) {
    kong.service.request.set_header("x-up", "1");
    kong.log.warn("short and stout");
    kong.response.exit(418, nlohmann::json{{"tea", true}}, MultiMap{{"x-pot", {"a", "b"}}});
  }
};

mock::CaseResult TeapotResult() {
  Plugin<Teapot> plugin;
  return plugin.run(Case("GET", "http://a.test/brew"));
}

// What a matcher says about `result` when it does not match.
std::string Explanation(const Matcher& m, const mock::CaseResult& result) {
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(m.MatchAndExplain(result, &listener))
      << ::testing::DescribeMatcher<const mock::CaseResult&>(m);
  return listener.str();
}

TEST(Matchers, MatchWhatTheRunDid) {
  const auto r = TeapotResult();
  EXPECT_THAT(r, HasStatus(418));
  EXPECT_THAT(r, HasJsonBody({{"tea", true}}));
  EXPECT_THAT(r, HasHeader("X-Pot", "a"));
  EXPECT_THAT(r, HasHeaderValues("x-pot", {"a", "b"}));
  EXPECT_THAT(r, LacksHeader("x-kettle"));
  EXPECT_THAT(r, HasLogLine("warn", "stout"));
  EXPECT_THAT(r, RanPhases({"access"}));
  EXPECT_THAT(r, HasNoErrors());
  EXPECT_THAT(r, Passes());
}

TEST(Matchers, ExplainAMismatchAsMockKongPrintsIt) {
  const auto r = TeapotResult();
  EXPECT_EQ(Explanation(HasStatus(200), r), "expect.response.status: expected 200, got 418");
  EXPECT_EQ(Explanation(HasHeader("x-pot", "c"), r),
            R"(expect.response.headers.x-pot: expected "c", got "a")");
  EXPECT_EQ(Explanation(LacksHeader("x-pot"), r),
            R"(expect.response.headers.x-pot: expected absent, got ["a","b"])");
  EXPECT_EQ(
      Explanation(HasLogLine("info", "stout"), r),
      R"(expect.log[0]: expected a line at level info containing "stout", got no info lines)");
  EXPECT_EQ(Explanation(HasUpstreamHeader("x-up", "2"), r),
            R"(expect.service_request.headers.x-up: expected "2", got "1")");
}

TEST(Matchers, DescribeWhatTheyExpect) {
  EXPECT_EQ(::testing::DescribeMatcher<const mock::CaseResult&>(HasStatus(200)),
            "has response status 200");
  EXPECT_EQ(::testing::DescribeMatcher<const mock::CaseResult&>(HasHeader("x-a", "1"), true),
            "not has response header x-a: \"1\"");
}

TEST(Matchers, MeetsTakesAFixturesExpectObject) {
  const auto r = TeapotResult();
  EXPECT_THAT(r, Meets(R"({"response": {"status": 418, "headers": {"x-pot": ["a", "b"]}},
                           "service_request": {"headers": {"x-up": "1"}}})"));
  EXPECT_EQ(Explanation(Meets(R"({"response": {"json_body": {"tea": false}}})"), r),
            R"(expect.response.json_body: expected {"tea":false}, got {"tea":true})");
}

TEST(Matchers, MeetsRefusesWhatIsNotAnExpectObject) {
  try {
    Meets(R"({"response": {"status": "418"}})");
    FAIL() << "accepted a status string";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("expect.response.status: expected integer"));
  }
}

TEST(Matchers, HasErrorLooksForTheTextInKongsErrors) {
  struct Bad {
    static constexpr auto fields() { return std::tuple{}; }
    void access(Pdk& kong) { kong.response.set_status(1000); }
  };
  Plugin<Bad> plugin;
  const auto r = plugin.run(Case());
  EXPECT_THAT(r, HasError("code must be a number between 100 and 599"));
  EXPECT_THAT(r, ::testing::Not(HasNoErrors()));
  EXPECT_THAT(Explanation(HasError("other"), r),
              ::testing::HasSubstr("Kong logged errors [\"kong.response.set_status: code must be"));
}

TEST(Matchers, PassesExplainsEveryMismatchOfAFixtureCase) {
  mock::Case c = Case("GET", "http://a.test/");
  c.expect.response.emplace();
  c.expect.response->status = 200;
  c.expect.phases = std::vector<std::string>{"rewrite"};
  Plugin<Teapot> plugin;
  EXPECT_EQ(Explanation(Passes(), plugin.run(c)),
            "expect.response.status: expected 200, got 418\n"
            R"(expect.phases: expected ["rewrite"], got ["access"])");
}

TEST(Matchers, PrintAResultBrieflyInFailures) {
  std::ostringstream os;
  ::testing::internal::UniversalPrint(TeapotResult(), &os);
  EXPECT_EQ(os.str(), R"(case "case" (passed): response 418, body "{\"tea\":true}")");
}

}  // namespace
}  // namespace kong::testing
