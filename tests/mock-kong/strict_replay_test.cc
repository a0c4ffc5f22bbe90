// A case with a transcript replays strictly: each PDK call is answered as the
// transcript says Kong answered it, and the first call that differs from it
// fails the case, naming the call, what the transcript has and what came.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kong/mock/case_runner.h"

#include "scripted_lifecycle.h"

namespace kong::mock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TranscriptCall Call(std::string phase, std::string method, json args,
                    std::optional<json> answer = std::nullopt) {
  return TranscriptCall{std::move(phase), std::move(method), std::move(args), std::move(answer),
                        std::nullopt};
}

class StrictReplayTest : public LifecycleTest {
 protected:
  // The one case, with `transcript`, played and checked.
  CaseResult Check(std::vector<TranscriptCall> transcript) {
    Case c;
    c.name = "recorded";
    c.path = "cases[0]";
    c.request.url = "http://example.com/";
    c.transcript = std::move(transcript);
    return run_and_check(c, *session_);
  }
};

TEST_F(StrictReplayTest, AnswersEachCallFromTheTranscriptNotFromTheEmulation) {
  Start({{"access", {PdkCall("kong.request.get_header", {Value("host")}), Value("ret")}},
         {"log", {PdkCall("kong.request.get_path", {}), Value("ret")}}},
        {Phase::access, Phase::log});
  const CaseResult result =
      Check({Call("access", "kong.request.get_header", {"host"}, json("recorded.example")),
             Call("log", "kong.request.get_path", json::array(), json("/recorded"))});
  EXPECT_TRUE(result.passed()) << to_string(result.mismatches.at(0));
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value("recorded.example"));
  EXPECT_EQ(*steps[1].params[0].find("Data"), Value("/recorded"));
}

TEST_F(StrictReplayTest, OneCallMoreThanTheTranscriptFailsAtThatCall) {
  Start({{"access",
          {PdkCall("kong.request.get_header", {Value("host")}),
           PdkCall("kong.log.info", {Value("one more")}), Value("ret")}}},
        {Phase::access});
  const CaseResult result =
      Check({Call("access", "kong.request.get_header", {"host"}, json("example.com"))});
  ASSERT_EQ(result.mismatches.size(), 1u);
  EXPECT_EQ(result.mismatches[0].path, "transcript[1]");
  EXPECT_EQ(result.mismatches[0].expected, "no call: the transcript ends after 1 call(s)");
  EXPECT_EQ(result.mismatches[0].actual, "access kong.log.info(\"one more\")");
  // Kong answers the stray call with nothing: the handler fails there.
  EXPECT_EQ(Steps().size(), 1u);
}

TEST_F(StrictReplayTest, OtherArgumentsAnotherMethodOrAnotherPhaseFailNamingBoth) {
  Start({{"access", {PdkCall("kong.request.get_header", {Value("x-id")}), Value("ret")}}},
        {Phase::access});
  auto first = [&](std::vector<TranscriptCall> t) { return Check(std::move(t)).mismatches; };
  EXPECT_THAT(first({Call("access", "kong.request.get_header", {"host"}, json("h"))}),
              ElementsAre(::testing::Field(&Mismatch::expected,
                                           "access kong.request.get_header(\"host\")")));
  const auto method = first({Call("access", "kong.request.get_path", json::array(), json("/"))});
  ASSERT_EQ(method.size(), 1u);
  EXPECT_EQ(to_string(method[0]),
            "transcript[0]: expected access kong.request.get_path(), got access "
            "kong.request.get_header(\"x-id\")");
  const auto phase = first({Call("rewrite", "kong.request.get_header", {"x-id"}, json("1"))});
  ASSERT_EQ(phase.size(), 1u);
  EXPECT_EQ(phase[0].expected, "rewrite kong.request.get_header(\"x-id\")");
}

TEST_F(StrictReplayTest, ACallTheTranscriptListsThatThePluginNeverMadeFailsTheCase) {
  Start({{"access", {Value("ret")}}}, {Phase::access});
  const CaseResult result =
      Check({Call("access", "kong.request.get_header", {"host"}, json("example.com"))});
  ASSERT_EQ(result.mismatches.size(), 1u);
  EXPECT_EQ(to_string(result.mismatches[0]),
            "transcript[0]: expected access kong.request.get_header(\"host\"), got no call: the "
            "plugin made 0 call(s) in the whole lifecycle");
}

TEST_F(StrictReplayTest, AnExitWithoutAnAnswerEndsTheEventAndTheEmulationSendsItsResponse) {
  Start({{"access", {PdkCall("kong.response.exit", {Value(403), Value("denied")})}},
         {"log", {Value("ret")}}},
        {Phase::access, Phase::log});
  const CaseResult result = Check({Call("access", "kong.response.exit", {403, "denied"})});
  EXPECT_TRUE(result.passed()) << to_string(result.mismatches.at(0));
  ASSERT_TRUE(result.run.has_value());
  EXPECT_EQ(result.run->state.response.status, 403);
  EXPECT_EQ(result.run->phases_run, (std::vector<std::string>{"access", "log"}));
  EXPECT_TRUE(Steps().empty());
}

TEST_F(StrictReplayTest, ACallKongRefusedInTheRecordingFailsTheEventWithTheRecordedError) {
  Start({{"access", {PdkCall("kong.response.get_status", {}), Value("ret")}}}, {Phase::access});
  TranscriptCall refused = Call("access", "kong.response.get_status", json::array());
  refused.error = "function cannot be called in access phase";
  Case c;
  c.name = "refused";
  c.request.url = "http://example.com/";
  c.transcript = {refused};
  c.expect.errors = std::vector<std::string>{
      "kong.response.get_status: function cannot be called in access phase"};
  const CaseResult result = run_and_check(c, *session_);
  EXPECT_TRUE(result.passed()) << to_string(result.mismatches.at(0));
  EXPECT_TRUE(Steps().empty());
}

TEST_F(StrictReplayTest, ABodyAnswerTravelsAsBinAsKongSendsIt) {
  Start({{"access", {PdkCall("kong.request.get_raw_body", {}), Value("ret")}}}, {Phase::access});
  EXPECT_TRUE(Check({Call("access", "kong.request.get_raw_body", json::array(), json("recorded"))})
                  .passed());
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value(Bytes{"recorded"}));
}

TEST_F(StrictReplayTest, BytesAndNumbersCompareAsLuaSeesThem) {
  Start({{"access",
          {PdkCall("kong.service.request.set_raw_body", {Value(Bytes{"\xff\x01"})}),
           PdkCall("kong.response.set_status", {Value(201.0)}), Value("ret")}}},
        {Phase::access});
  const CaseResult result = Check({Call("access", "kong.service.request.set_raw_body",
                                        json::array({json{{"$base64", "/wE="}}}), json()),
                                   Call("access", "kong.response.set_status", {201}, json())});
  EXPECT_TRUE(result.passed()) << to_string(result.mismatches.at(0));
}

TEST_F(StrictReplayTest, ACaseWithItsOwnConfigurationRunsOnAnInstanceOfItAndTheNextOnTheFixtures) {
  Start({{"access", {Value("ret")}}}, {Phase::access});
  const int before = instances_started_;
  Case own;
  own.name = "own";
  own.request.url = "http://example.com/";
  own.config = json{{"message", "own"}};
  Case plain = own;
  plain.name = "plain";
  plain.config.reset();
  EXPECT_TRUE(run_and_check(plain, *session_).passed());
  EXPECT_EQ(instances_started_, before);  // the fixture's instance still
  EXPECT_TRUE(run_and_check(own, *session_).passed());
  EXPECT_EQ(instances_started_, before + 1);
  EXPECT_NE(session_->config_text().find("\"message\":\"own\""), std::string::npos);
  EXPECT_TRUE(run_and_check(own, *session_).passed());
  EXPECT_EQ(instances_started_, before + 1);  // the same configuration: its instance
  EXPECT_TRUE(run_and_check(plain, *session_).passed());
  EXPECT_EQ(instances_started_, before + 2);
  own.config = json{{"unknown", 1}};
  const CaseResult refused = run_and_check(own, *session_);
  ASSERT_EQ(refused.mismatches.size(), 1u);
  EXPECT_NE(refused.mismatches[0].actual.find("unknown"), std::string::npos)
      << refused.mismatches[0].actual;
}

}  // namespace
}  // namespace kong::mock
