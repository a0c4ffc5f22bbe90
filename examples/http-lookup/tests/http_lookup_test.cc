// http-lookup's tests: a key service of its own on a free port, the plugin
// in process, and its fixture replayed over the socket in both protocols.
#include "../http_lookup.h"

#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "kong/testing.h"

#include "../key_service.h"

namespace {

using kong::testing::Case;
using kong::testing::HasJsonBody;
using kong::testing::HasLogLine;
using kong::testing::HasStatus;
using kong::testing::HasUpstreamHeader;
using kong::testing::Passes;
using kong::testing::Plugin;

class HttpLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = service_.start();
    ASSERT_GT(port_, 0) << "the key service could not bind";
  }

  std::string service_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  Plugin<http_lookup::Config> Lookup() {
    return Plugin<http_lookup::Config>({{"service_url", service_url()}}, {.name = "http-lookup"});
  }

  /// The fixture, its service_url this test's service: a copy in the build tree.
  std::string Fixture() {
    std::ifstream in(FIXTURES_DIR "/http-lookup.json");
    auto fixture = nlohmann::json::parse(in);
    fixture["config"]["service_url"] = service_url();
    const std::string path =
        ::testing::TempDir() + "http-lookup-" + std::to_string(port_) + ".json";
    std::ofstream(path) << fixture.dump(2);
    return path;
  }

  http_lookup::KeyService service_{http_lookup::example_owners()};
  int port_ = -1;
};

Case WithKey(const std::string& key) {
  Case c("GET", "http://api.test/orders");
  c.header("x-api-key", key);
  return c;
}

TEST_F(HttpLookup, TellsTheUpstreamWhoOwnsTheKey) {
  auto plugin = Lookup();
  auto result = plugin.run(WithKey("k-bob"));
  EXPECT_THAT(result, HasStatus(200));
  EXPECT_THAT(result, HasUpstreamHeader("x-key-owner", "bob"));
}

TEST_F(HttpLookup, RefusesAKeyTheServiceDoesNotKnow) {
  auto plugin = Lookup();
  auto result = plugin.run(WithKey("k-mallory"));
  EXPECT_THAT(result, HasStatus(401));
  EXPECT_THAT(result, HasJsonBody({{"message", "Invalid API key"}}));
}

TEST_F(HttpLookup, AnswersUnavailableWhenTheServiceIsGone) {
  service_.stop();
  auto plugin = Lookup();
  auto result = plugin.run(WithKey("k-alice"));
  EXPECT_THAT(result, HasStatus(503));
  EXPECT_THAT(result, HasJsonBody({{"message", "Key service unavailable"}}));
}

TEST_F(HttpLookup, PassesEveryCaseOfItsFixtureInProcess) {
  const auto fixture = kong::testing::Fixture::load(Fixture());
  Plugin<http_lookup::Config> plugin(fixture.config(), {.name = "http-lookup"});
  for (const auto& name : fixture.case_names())
    EXPECT_THAT(plugin.run(fixture.case_named(name)), Passes()) << name;
}

TEST_F(HttpLookup, PassesEveryCaseOfItsFixtureOverTheSocketInBothProtocols) {
  for (const char* protocol : {"MsgPack:1", "ProtoBuf:1"}) {
    const auto r = kong::testing::replay(Fixture(), {HTTP_LOOKUP_BIN, "-protocol", protocol});
    ASSERT_TRUE(r.ran()) << r.error;
    for (const auto& c : r.cases)
      EXPECT_THAT(c, Passes()) << protocol;
    EXPECT_EQ(r.cases.size(), 4u);
  }
}

}  // namespace
