// The http lifecycle against a scripted plugin server: which phases run,
// what Kong sends back for each PDK call, and what ends a request.
#include "kong/mock/lifecycle.h"

#include <gtest/gtest.h>

#include "scripted_lifecycle.h"

namespace kong::mock {
namespace {

TEST_F(LifecycleTest, RunsOnlyTheDeclaredPhasesInKongsOrder) {
  Start({{"rewrite", {Value("ret")}}, {"access", {Value("ret")}}, {"log", {Value("ret")}}},
        {Phase::log, Phase::access, Phase::rewrite});
  CaseRun run = Run();
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"rewrite", "access", "log"}));
  EXPECT_TRUE(run.errors.empty());
}

TEST_F(LifecycleTest, RunsCertificateOnlyForHttpsRequests) {
  Start({{"certificate", {Value("ret")}}}, {Phase::certificate});
  Case https;
  https.request.url = "https://example.com/";
  EXPECT_EQ(Run(https).phases_run, (std::vector<std::string>{"certificate"}));
  EXPECT_TRUE(Run().phases_run.empty());
}

TEST_F(LifecycleTest, AnswersEachCallWithItsResultUsingTheTablesStepMethod) {
  Start({{"access",
          {PdkCall("kong.request.get_header", {Value("host")}),
           PdkCall("kong.request.get_headers", {}), PdkCall("kong.request.get_raw_body", {}),
           Value("ret")}}},
        {Phase::access});
  Case c;
  c.request.url = "http://example.com/";
  c.request.body = "payload";
  Run(c);
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].method, "plugin.Step");
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value("example.com"));
  EXPECT_EQ(steps[1].method, "plugin.StepMultiMap");
  EXPECT_EQ(*steps[1].params[0].find("Data"),
            Value(Map{{Value("host"), Value(Array{Value("example.com")})}}));
  EXPECT_EQ(*steps[2].params[0].find("Data"), Value(Bytes{"payload"}));  // bin, not str
}

TEST_F(LifecycleTest, SendsMultimapsAfterKongsFixMmapALoneValueAndAFlagAsArrays) {
  Start({{"access", {PdkCall("kong.request.get_query", {}), Value("ret")}}}, {Phase::access});
  Case c;
  c.request.url = "http://example.com/?a=1&a&b=x&debug";
  Run(c);
  c.request.url = "http://example.com/";
  Run(c);
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].method, "plugin.StepMultiMap");
  EXPECT_EQ(*steps[0].params[0].find("Data"),
            Value(Map{{Value("a"), Value(Array{Value("1"), Value(true)})},
                      {Value("b"), Value(Array{Value("x")})},
                      {Value("debug"), Value(Array{})}}));
  // No query: an empty table goes as an empty map.
  EXPECT_EQ(steps[1].method, "plugin.StepMultiMap");
  EXPECT_EQ(*steps[1].params[0].find("Data"), Value(Map{}));
}

TEST_F(LifecycleTest, LeavesDataOutOfTheStepForANilResult) {
  Start({{"access", {PdkCall("kong.request.get_header", {Value("x-absent")}), Value("ret")}}},
        {Phase::access});
  Run();
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].params[0].find("Data"), nullptr);
  EXPECT_NE(steps[0].params[0].find("EventId"), nullptr);
}

TEST_F(LifecycleTest, ExitInAccessSendsNoStepSkipsTheUpstreamAndStillRunsLog) {
  Start({{"access", {PdkCall("kong.response.exit", {Value(403), Value("denied")})}},
         {"response", {Value("ret")}},
         {"log", {PdkCall("kong.response.get_status", {}), Value("ret")}}},
        {Phase::access, Phase::response, Phase::log});
  Case c;
  c.request.url = "http://example.com/";
  c.upstream = FixtureUpstream{200, {}, "from upstream"};
  CaseRun run = Run(c);
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"access", "log"}));
  EXPECT_EQ(run.state.response.status, 403);
  EXPECT_EQ(run.state.response.body, "denied");
  EXPECT_EQ(run.state.response.source, "exit");
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);  // only the log event's get_status
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value(403));
}

TEST_F(LifecycleTest, ACallInAForbiddenPhaseAbandonsTheEventWithKongsTextAndA500) {
  Start({{"access", {PdkCall("kong.response.get_status", {}), Value("ret")}}}, {Phase::access});
  CaseRun run = Run();
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(
      run.errors[0],
      "kong.response.get_status: function cannot be called in access phase (only in: response, "
      "header_filter, body_filter, log, error, admin_api)");
  EXPECT_TRUE(Steps().empty());
  EXPECT_EQ(run.state.response.status, 500);
  // kong.response.error(500): Kong's JSON template, with the request id.
  EXPECT_EQ(run.state.response.body,
            "{\n  \"message\":\"An unexpected error occurred\",\n  \"request_id\":\"" +
                run.state.request_id + "\"\n}");
  EXPECT_EQ(run.state.response.source, "error");
}

TEST_F(LifecycleTest, ABadArgumentAbandonsTheEventWithKongsText) {
  Start({{"access", {PdkCall("kong.response.set_status", {Value(1000)}), Value("ret")}}},
        {Phase::access});
  CaseRun run = Run();
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0], "kong.response.set_status: code must be a number between 100 and 599");
  EXPECT_EQ(run.state.response.status, 500);
}

TEST_F(LifecycleTest, AnUnknownPdkMethodIsLoggedAndAnsweredWithNil) {
  Start({{"access", {PdkCall("kong.request.get_nothing", {}), Value("ret")}}}, {Phase::access});
  CaseRun run = Run();
  ASSERT_EQ(run.state.log.size(), 1u);
  EXPECT_EQ(run.state.log[0].message, "could not find pdk method: kong.request.get_nothing");
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].params[0].find("Data"), nullptr);
  EXPECT_EQ(run.errors.size(), 1u);
}

TEST_F(LifecycleTest, AHandlerErrorTheServerReportsIsLoggedAndTheRequestGoesOn) {
  Start({{"access", {Value("ret")}}}, {Phase::access});
  fail_next_event_with_ = "hello access handler failed: boom";
  CaseRun run = Run();
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0], "access handler failed: hello access handler failed: boom");
  EXPECT_EQ(run.state.response.status, 200);
  EXPECT_EQ(run.state.response.source, "service");
}

TEST_F(LifecycleTest, StartsANewInstanceAndRetriesWhenTheServerLostTheInstance) {
  Start({{"access", {Value("ret")}}}, {Phase::access});
  next_instance_id_ = 42;
  fail_next_event_with_ = "no plugin instance 1";
  CaseRun run = Run();
  EXPECT_EQ(instances_started_, 2);
  EXPECT_EQ(session_->instance_id(), 42);
  EXPECT_TRUE(run.errors.empty());
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"access"}));
}

TEST_F(LifecycleTest, UnbufferedTheUpstreamsHeadersFollowThoseSetInAccess) {
  Start({{"access",
          {PdkCall("kong.response.set_header", {Value("X-A"), Value("plugin")}), Value("ret")}}},
        {Phase::access});
  Case c;
  c.request.url = "http://example.com/";
  c.upstream = FixtureUpstream{201, {{"x-a", "upstream"}, {"x-b", "kept"}}, "body"};
  CaseRun run = Run(c);
  EXPECT_EQ(run.state.response.status, 201);
  EXPECT_EQ(run.state.response.headers.all("x-a"),
            (std::vector<std::string>{"plugin", "upstream"}));
  EXPECT_EQ(run.state.response.headers.first("x-b"), "kept");
}

TEST_F(LifecycleTest, KongAddsItsHeadersToProxiedResponsesAndToExits) {
  Start({{"access", {Value("ret")}}}, {Phase::access});
  Case c;
  c.request.url = "http://example.com/";
  c.upstream = FixtureUpstream{200, {{"Via", "1.0 cache"}}, "body"};
  CaseRun run = Run(c);
  const Headers& h = run.state.response.headers;
  EXPECT_EQ(h.first("via"), "1.0 cache, 1.1 kong/3.10.0");
  EXPECT_EQ(h.first("server"), "kong/3.10.0");
  EXPECT_EQ(h.first("x-kong-upstream-latency"), "2");
  EXPECT_EQ(h.first("x-kong-proxy-latency"), "1");
  EXPECT_FALSE(h.contains("x-kong-response-latency"));
  EXPECT_EQ(h.first("x-kong-request-id"), run.state.request_id);
}

TEST_F(LifecycleTest, WithoutAnUpstreamTheServiceEchoesTheServiceRequest) {
  Start({{"access",
          {PdkCall("kong.service.request.set_header", {Value("X-Up"), Value("1")}), Value("ret")}}},
        {Phase::access});
  Case c;
  c.request.url = "http://example.com/";
  c.request.body = "ping";
  CaseRun run = Run(c);
  EXPECT_EQ(run.state.response.status, 200);
  EXPECT_EQ(run.state.response.body, "ping");
  EXPECT_EQ(run.state.response.headers.first("x-up"), "1");
}

TEST_F(LifecycleTest, RunsCertificateAndRewriteOnlyForAGloballyConfiguredPlugin) {
  Start({{"certificate", {Value("ret")}}, {"rewrite", {Value("ret")}}, {"access", {Value("ret")}}},
        {Phase::certificate, Phase::rewrite, Phase::access});
  Case c;
  c.request.url = "https://example.com/";
  EXPECT_EQ(Run(c).phases_run, (std::vector<std::string>{"certificate", "rewrite", "access"}));
  c.scope = "route";
  EXPECT_EQ(Run(c).phases_run, (std::vector<std::string>{"access"}));
}

TEST_F(LifecycleTest, AResponseHandlerBuffersTheProxyingSoItReadsTheUpstreamBody) {
  Start({{"response", {PdkCall("kong.service.response.get_raw_body", {}), Value("ret")}}},
        {Phase::response});
  Case c;
  c.upstream = FixtureUpstream{200, {}, "from upstream"};
  CaseRun run = Run(c);
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"response"}));
  EXPECT_TRUE(run.errors.empty()) << run.errors[0];
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value(Bytes{"from upstream"}));
}

TEST_F(LifecycleTest, WithoutBufferingLogCannotReadTheUpstreamBody) {
  Start({{"log", {PdkCall("kong.service.response.get_raw_body", {}), Value("ret")}}},
        {Phase::access, Phase::log});
  script_["access"] = {Value("ret")};
  CaseRun run = Run();
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0],
            "kong.service.response.get_raw_body: service body is only available with buffered "
            "proxying (see: kong.service.request.enable_buffering function)");
}

TEST_F(LifecycleTest, EnableBufferingKeepsTheUpstreamBodyForLogWithoutAResponsePhase) {
  Start({{"access", {PdkCall("kong.service.request.enable_buffering", {}), Value("ret")}},
         {"log", {PdkCall("kong.service.response.get_raw_body", {}), Value("ret")}}},
        {Phase::access, Phase::log});
  Case c;
  c.upstream = FixtureUpstream{200, {}, "kept"};
  CaseRun run = Run(c);
  EXPECT_TRUE(run.errors.empty());
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"access", "log"}));
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(*steps[1].params[0].find("Data"), Value(Bytes{"kept"}));
}

TEST_F(LifecycleTest, ExitInRewriteSkipsAccessAndResponseButRunsLog) {
  Start({{"rewrite", {PdkCall("kong.response.exit", {Value(204)})}},
         {"access", {Value("ret")}},
         {"response", {Value("ret")}},
         {"log", {Value("ret")}}},
        {Phase::rewrite, Phase::access, Phase::response, Phase::log});
  CaseRun run = Run();
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"rewrite", "log"}));
  EXPECT_EQ(run.state.response.status, 204);
  EXPECT_FALSE(run.state.upstream_response);
}

TEST_F(LifecycleTest, ErrorInAccessSendsKongsErrorBodyAndLogSeesSourceExit) {
  Start({{"access", {PdkCall("kong.response.error", {Value(403)})}},
         {"response", {Value("ret")}},
         {"log", {PdkCall("kong.response.get_source", {}), Value("ret")}}},
        {Phase::access, Phase::response, Phase::log});
  Case c;
  c.request.headers = {{"Accept", "application/json"}};
  CaseRun run = Run(c);
  EXPECT_EQ(run.phases_run, (std::vector<std::string>{"access", "log"}));
  EXPECT_EQ(run.state.response.status, 403);
  EXPECT_EQ(run.state.response.body, "{\n  \"message\":\"Forbidden\",\n  \"request_id\":\"" +
                                         run.state.request_id + "\"\n}");
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 1u);  // only log's get_source
  EXPECT_EQ(*steps[0].params[0].find("Data"), Value("exit"));
}

TEST_F(LifecycleTest, LogReadsTheSavedRequestAndResponseButNotLiveRequestState) {
  Start(
      {{"access", {PdkCall("kong.response.set_header", {Value("X-A"), Value("1")}), Value("ret")}},
       {"log",
        {PdkCall("kong.request.get_header", {Value("x-id")}),
         PdkCall("kong.response.get_header", {Value("x-a")}),
         PdkCall("kong.response.get_status", {}), PdkCall("kong.request.get_method", {})}}},
      {Phase::access, Phase::log});
  Case c;
  c.request.headers = {{"X-Id", "7"}};
  c.upstream = FixtureUpstream{202, {}, ""};
  CaseRun run = Run(c);
  const auto steps = Steps();
  ASSERT_EQ(steps.size(), 4u);  // set_header, then three answers in log
  EXPECT_EQ(*steps[1].params[0].find("Data"), Value("7"));
  EXPECT_EQ(*steps[2].params[0].find("Data"), Value("1"));
  EXPECT_EQ(*steps[3].params[0].find("Data"), Value(202));
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0], "kong.request.get_method: API disabled in the current context");
  EXPECT_EQ(run.state.response.status, 202);  // log failures do not change the response
}

}  // namespace
}  // namespace kong::mock

namespace kong::mock {
namespace {

// A session that only names a plugin and its priority: enough to order it.
std::unique_ptr<PluginSession> Named(const std::string& name, int priority) {
  PluginInfo info;
  info.name = name;
  info.priority = priority;
  return PluginSession::attach(std::move(info), nullptr);
}

TEST(ChainOrder, PriorityDescendingThenEqualNonZeroPrioritiesByNameDescending) {
  auto low = Named("a-low", 1);
  auto tie_a = Named("a-tie", 10);
  auto tie_b = Named("b-tie", 10);
  auto high = Named("z-high", 1000);
  auto zero_first = Named("b-zero", 0);
  auto zero_second = Named("a-zero", 0);
  const std::vector<ChainPlugin> chain = {{low.get(), ""},        {tie_a.get(), ""},
                                          {zero_first.get(), ""}, {high.get(), ""},
                                          {tie_b.get(), ""},      {zero_second.get(), ""}};
  std::vector<std::string> order;
  for (const ChainPlugin* link : in_kong_order(chain))
    order.push_back(link->session->info().name);
  // Kong leaves plugins both at 0 in no order; here they keep the fixture's.
  EXPECT_EQ(order,
            (std::vector<std::string>{"z-high", "b-tie", "a-tie", "a-low", "b-zero", "a-zero"}));
}

}  // namespace
}  // namespace kong::mock
