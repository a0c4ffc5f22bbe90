// Plugins run in process: Kong's lifecycle, phase rules, answers and error
// texts, as mock-kong --replay gives them over the socket.
#include <stdexcept>
#include <string>
#include <vector>

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

using ::testing::HasSubstr;

// A plugin with a handler for every http phase, each recording itself.
struct EveryPhase {
  int limit = 10;
  static constexpr auto fields() { return std::tuple{kong::field("limit", &EveryPhase::limit)}; }
  void certificate(Pdk& kong) { kong.log.info("certificate"); }
  void rewrite(Pdk& kong) { kong.log.info("rewrite"); }
  void access(Pdk& kong) {
    kong.log.info("access limit ", static_cast<std::int64_t>(limit));
    kong.service.request.set_header("x-client", kong.client.get_ip());
    if (auto consumer = kong.client.get_consumer())
      kong.service.request.set_header("x-consumer", consumer->username.value_or(""));
  }
  void response(Pdk& kong) {
    kong.response.set_header("x-upstream-status",
                             std::to_string(kong.service.response.get_status().value_or(0)));
  }
  void log(Pdk& kong) { kong.log.info("log status ", kong.response.get_status()); }
};

struct Throws {
  static constexpr auto fields() { return std::tuple{}; }
  void access(Pdk&) { throw std::runtime_error("boom"); }
};

struct CallsTooEarly {
  static constexpr auto fields() { return std::tuple{}; }
  // kong.response.get_status is not allowed in access: the PDK throws.
  void access(Pdk& kong) { kong.response.get_status(); }
};

struct Exits {
  static constexpr auto fields() { return std::tuple{}; }
  void access(Pdk& kong) {
    kong.response.exit(429, "slow down", MultiMap{{"Retry-After", {"1"}}});
    kong.log.err("not reached");
  }
  void log(Pdk& kong) { kong.log.info("logged ", kong.response.get_status()); }
};

struct Preread {
  static constexpr auto fields() { return std::tuple{}; }
  void preread(Pdk& kong) { kong.log.info("preread from ", kong.client.get_ip()); }
};

TEST(InProcess, RunsThePhasesKongRunsForAGloballyConfiguredPlugin) {
  Plugin<EveryPhase> plugin;
  auto result = plugin.run(Case("GET", "https://a.test/").upstream(201));
  EXPECT_THAT(result, RanPhases({"certificate", "rewrite", "access", "response", "log"}));
  EXPECT_THAT(result, HasHeader("x-upstream-status", "201"));
  EXPECT_THAT(result, HasLogLine("info", "log status 201"));
  EXPECT_THAT(result, HasNoErrors());
}

TEST(InProcess, RunsNeitherCertificateNorRewriteForARoutePlugin) {
  Plugin<EveryPhase> plugin;
  auto result = plugin.run(Case("GET", "https://a.test/").scope("route"));
  EXPECT_THAT(result, RanPhases({"access", "response", "log"}));
}

TEST(InProcess, ACaseCarriesTheClientTheConsumerAndTheUpstream) {
  Plugin<EveryPhase> plugin;
  auto result = plugin.run(Case("POST", "http://a.test/items")
                               .client("10.1.2.3", 5000)
                               .consumer({{"id", "c-1"}, {"username", "alice"}})
                               .body("payload"));
  EXPECT_THAT(result, HasUpstreamHeader("x-client", "10.1.2.3"));
  EXPECT_THAT(result, HasUpstreamHeader("x-consumer", "alice"));
  EXPECT_THAT(result, HasUpstreamBody("payload"));
  EXPECT_THAT(result, HasBody("payload"));  // the echo upstream
}

TEST(InProcess, FillsInTheSchemaDefaultsAsKongDoes) {
  Plugin<EveryPhase> plugin;
  EXPECT_THAT(plugin.run(Case()), HasLogLine("info", "access limit 10"));
  Plugin<EveryPhase> configured({{"limit", 3}});
  EXPECT_THAT(configured.run(Case()), HasLogLine("info", "access limit 3"));
}

TEST(InProcess, RefusesAnUnknownConfigFieldWithMockKongsMessage) {
  try {
    Plugin<EveryPhase> plugin({{"limt", 3}}, {.name = "every-phase"});
    FAIL() << "accepted an unknown field";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "every-phase: config.limt: unknown field");
  }
}

TEST(InProcess, RefusesAValueOfTheWrongType) {
  EXPECT_THROW(Plugin<EveryPhase>({{"limit", "ten"}}), std::invalid_argument);
}

TEST(InProcess, AThrowingHandlerIsReportedWithTheServersErrorTextAndKongGoesOn) {
  Plugin<Throws> plugin({}, {.name = "thrower"});
  auto result = plugin.run(Case());
  EXPECT_THAT(result, HasStatus(200));  // Kong only logs a handler's error
  EXPECT_THAT(result, HasError("access handler failed: thrower access handler failed: boom"));
  EXPECT_FALSE(result.passed());
}

TEST(InProcess, ACallRefusedInThisPhaseFailsTheHandlerWithKongsText) {
  Plugin<CallsTooEarly> plugin;
  auto result = plugin.run(Case());
  // The C++ PDK refuses the call itself, as Kong would: the handler fails,
  // and Kong logs the server's error and goes on.
  EXPECT_THAT(result, HasStatus(200));
  EXPECT_THAT(result, HasError("kong.response.get_status: function cannot be called in access "
                               "phase (only in: response, header_filter, body_filter, log"));
}

TEST(InProcess, AnExitEndsTheHandlerSkipsTheUpstreamAndStillRunsLog) {
  Plugin<Exits> plugin;
  auto result = plugin.run(Case().upstream(200, {}, "never"));
  EXPECT_THAT(result, HasStatus(429));
  EXPECT_THAT(result, HasBody("slow down"));
  EXPECT_THAT(result, HasHeader("Retry-After", "1"));
  EXPECT_THAT(result, RanPhases({"access", "log"}));
  EXPECT_THAT(result, HasLogLine("info", "logged 429"));
  EXPECT_THAT(result, ::testing::Not(HasLogLine("err", "not reached")));
}

TEST(InProcess, AStreamCaseRunsPreread) {
  Plugin<Preread> plugin;
  auto result = plugin.run(Case().stream().client("10.0.0.9"));
  EXPECT_THAT(result, RanPhases({"preread"}));
  EXPECT_THAT(result, HasLogLine("info", "preread from 10.0.0.9"));
}

TEST(InProcess, TheTraceHoldsEveryPdkCallWithKongsAnswer) {
  Plugin<EveryPhase> plugin;
  auto result = plugin.run(Case().client("10.1.2.3").scope("route"));
  std::vector<std::string> calls;
  for (const auto& t : result.run->state.trace)
    calls.push_back(t.method);
  EXPECT_THAT(calls, ::testing::Contains("kong.client.get_ip"));
  for (const auto& t : result.run->state.trace) {
    if (t.method == "kong.client.get_ip") {
      EXPECT_EQ(t.result, protocol::Value("10.1.2.3"));
    }
  }
}

TEST(InProcess, ReadsACaseFromAFixtureByName) {
  const auto fixture =
      Fixture::load(std::string(KONG_SOURCE_DIR) + "/examples/hello/fixtures/hello.json");
  EXPECT_EQ(fixture.config(), nlohmann::json({{"message", "hi"}}));
  const mock::Case& c = fixture.case_named("greets even when the upstream fails");
  EXPECT_EQ(c.upstream->status, 503);
}

TEST(InProcess, NamesTheCasesThereAreWhenAskedForOneThatIsNot) {
  const auto fixture =
      Fixture::load(std::string(KONG_SOURCE_DIR) + "/examples/hello/fixtures/hello.json");
  try {
    fixture.case_named("nope");
    FAIL() << "found a case that is not there";
  } catch (const std::out_of_range& e) {
    EXPECT_THAT(e.what(), HasSubstr("no case named \"nope\"; its cases: \"greets the host"));
  }
}

TEST(InProcess, ABadFixtureThrowsMockKongsMessage) {
  EXPECT_THROW(Fixture::load("/nonexistent/fixture.json"), std::runtime_error);
}

}  // namespace
}  // namespace kong::testing
