// Comparing a case's outcome with its expectations.
#include "kong/mock/expectations.h"

#include <gtest/gtest.h>

namespace kong::mock {
namespace {

CaseRun RunWithResponse(int status, HeaderList headers, std::string body) {
  CaseRun run;
  run.state.response.status = status;
  run.state.response.headers = Headers(std::move(headers));
  run.state.response.body = std::move(body);
  return run;
}

std::string Describe(const std::vector<Mismatch>& ms) {
  std::string out;
  for (const auto& m : ms)
    out += m.path + ": expected " + m.expected + ", got " + m.actual + "\n";
  return out;
}

TEST(Expectations, PassWhenOnlyWhatIsNamedMatches) {
  Expectations e;
  e.response = ExpectedResponse{
      200, {{"X-A", std::vector<std::string>{"1"}, false}}, std::nullopt, std::nullopt};
  const auto run = RunWithResponse(200, {{"x-a", "1"}, {"x-other", "2"}}, "anything");
  EXPECT_TRUE(check_expectations(e, run).empty()) << Describe(check_expectations(e, run));
}

TEST(Expectations, ReportPathExpectedAndActualForEachDifference) {
  Expectations e;
  e.response = ExpectedResponse{
      201, {{"x-a", std::vector<std::string>{"2"}, false}}, std::string("b"), std::nullopt};
  const auto ms = check_expectations(e, RunWithResponse(200, {{"X-A", "1"}}, "a"));
  EXPECT_EQ(Describe(ms),
            "expect.response.status: expected 201, got 200\n"
            "expect.response.headers.x-a: expected \"2\", got \"1\"\n"
            "expect.response.body: expected \"b\", got \"a\"\n");
}

TEST(Expectations, AnArrayComparesEveryValueAndNullRequiresAbsence) {
  Expectations e;
  e.response = ExpectedResponse{std::nullopt,
                                {{"set-cookie", std::vector<std::string>{"a", "b"}, true},
                                 {"x-secret", std::nullopt, false},
                                 {"x-missing", std::vector<std::string>{"1"}, false}},
                                std::nullopt,
                                std::nullopt};
  const auto ms =
      check_expectations(e, RunWithResponse(200, {{"Set-Cookie", "a"}, {"x-secret", "s"}}, ""));
  EXPECT_EQ(Describe(ms),
            "expect.response.headers.set-cookie: expected [\"a\",\"b\"], got [\"a\"]\n"
            "expect.response.headers.x-secret: expected absent, got [\"s\"]\n"
            "expect.response.headers.x-missing: expected \"1\", got absent\n");
}

TEST(Expectations, InvariantsNameTheStatusOutsideTheSetAndEachMissingHeader) {
  Expectations e;
  e.invariants.status = {200, 401};
  e.invariants.response_headers = {"X-Hello", "x-a"};
  e.invariants.service_request_headers = {"X-Auth"};
  auto run = RunWithResponse(500, {{"X-A", "1"}}, "");
  EXPECT_EQ(Describe(check_expectations(e, run)),
            "fuzz.invariants.status: expected one of [200,401], got 500\n"
            "fuzz.invariants.response_headers.X-Hello: expected present, got absent\n");
  run.state.proxied = true;
  run.state.response.status = 401;
  run.state.response.headers.set("X-Hello", {""});
  EXPECT_EQ(Describe(check_expectations(e, run)),
            "fuzz.invariants.service_request_headers.X-Auth: expected present, got absent\n");
}

TEST(Expectations, JsonBodyIgnoresKeyOrderAndSpacing) {
  Expectations e;
  e.response = ExpectedResponse{};
  e.response->json_body = nlohmann::json{{"a", 1}, {"b", {true, nullptr}}};
  EXPECT_TRUE(
      check_expectations(e, RunWithResponse(200, {}, R"({ "b": [true, null], "a": 1 })")).empty());
  const auto ms = check_expectations(e, RunWithResponse(200, {}, "oops"));
  EXPECT_EQ(
      Describe(ms),
      "expect.response.json_body: expected {\"a\":1,\"b\":[true,null]}, got not JSON: \"oops\"\n");
}

TEST(Expectations, LogNeedsALineOfThatLevelContainingTheText) {
  Expectations e;
  e.log = {{"info", "greeted"}, {"err", "boom"}};
  CaseRun run;
  run.state.log = {{"info", "greeted example.com", Phase::access}, {"warn", "boom", Phase::access}};
  EXPECT_EQ(Describe(check_expectations(e, run)),
            "expect.log[1]: expected a line at level err containing \"boom\", got no err lines\n");
}

TEST(Expectations, KongErrorsFailTheCase) {
  CaseRun run;
  run.errors = {"kong.response.set_status: code must be a number between 100 and 599"};
  EXPECT_EQ(Describe(check_expectations({}, run)),
            "kong error log: expected no errors, got kong.response.set_status: code must be a "
            "number between 100 "
            "and 599\n");
}

TEST(Expectations, PhasesCompareInOrder) {
  Expectations e;
  e.phases = std::vector<std::string>{"access", "log"};
  CaseRun run;
  run.phases_run = {"access"};
  EXPECT_EQ(Describe(check_expectations(e, run)),
            "expect.phases: expected [\"access\",\"log\"], got [\"access\"]\n");
}

TEST(Expectations, ServiceRequestFieldsCompareWhatKongSendsUpstream) {
  Expectations e;
  e.service_request = ExpectedServiceRequest{{{"x-up", std::vector<std::string>{"1"}, false}},
                                             std::string("POST"),
                                             std::string("/v2"),
                                             std::string("a=1"),
                                             std::nullopt};
  CaseRun run;
  run.state.request.method = "GET";
  run.state.upstream_vars.uri = "/v2?a=1";
  run.state.request.headers = Headers(HeaderList{{"X-Up", "1"}});
  EXPECT_EQ(Describe(check_expectations(e, run)),
            "expect.service_request.method: expected \"POST\", got \"GET\"\n");
}

TEST(Expectations, EachPluginIsHeldToItsOwnPhasesLogAndErrors) {
  CaseRun run = RunWithResponse(200, {}, "");
  run.errors = {"access handler failed: boom"};
  run.plugins["a"] = PluginRun{{"access", "log"}, {"access handler failed: boom"}};
  run.plugins["b"] = PluginRun{{"log"}, {}};
  run.state.log.push_back({"info", "from a", Phase::log, "a"});
  Expectations e;
  e.plugins["a"].phases = std::vector<std::string>{"access", "log"};
  e.plugins["a"].errors = std::vector<std::string>{"access handler failed: boom"};
  e.plugins["a"].log = {{"info", "from a"}};
  // The error expected of `a` is not a stray one of the case.
  EXPECT_TRUE(check_expectations(e, run).empty());
  e.plugins["b"].phases = std::vector<std::string>{"access", "log"};
  e.plugins["b"].log = {{"info", "from a"}};  // a's line, not b's
  const auto mismatches = check_expectations(e, run);
  ASSERT_EQ(mismatches.size(), 2u);
  EXPECT_EQ(mismatches[0].path, "expect.plugins.b.log[0]");
  EXPECT_EQ(mismatches[1].path, "expect.plugins.b.phases");
  // A plugin that never ran did nothing.
  e.plugins["c"].phases = std::vector<std::string>{};
  EXPECT_EQ(check_expectations(e, run).size(), 2u);
}

}  // namespace
}  // namespace kong::mock
