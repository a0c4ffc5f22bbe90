// header-key-auth's unit tests: the plugin in this process, through Kong's
// lifecycle as mock-kong emulates it, with some of Kong's answers mocked.
#include "../header_key_auth.h"

#include "kong/testing.h"

namespace {

using kong::testing::Case;
using kong::testing::HasJsonBody;
using kong::testing::HasLogLine;
using kong::testing::HasStatus;
using kong::testing::HasUpstreamHeader;
using kong::testing::LacksUpstreamHeader;
using kong::testing::Plugin;
using ::testing::_;
using ::testing::Return;

Plugin<header_key_auth::Config> KeyAuth() {
  return Plugin<header_key_auth::Config>({{"keys", {{"k-alice", "alice"}}}},
                                         {.name = "header-key-auth"});
}

// A request that carries alice's key, with alice in Kong's database.
Case WithAlicesKey() {
  Case c("GET", "http://api.test/orders");
  c.header("apikey", "k-alice");
  c.kong_settings().consumers.push_back({{"id", "c-1"}, {"username", "alice"}});
  return c;
}

TEST(HeaderKeyAuth, TellsTheUpstreamWhoCalled) {
  auto plugin = KeyAuth();
  auto result = plugin.run(WithAlicesKey());
  EXPECT_THAT(result, HasStatus(200));
  EXPECT_THAT(result, HasUpstreamHeader("X-Consumer-Username", "alice"));
  EXPECT_THAT(result, HasLogLine("info", "authenticated alice"));
}

TEST(HeaderKeyAuth, RefusesARequestWithoutAKey) {
  auto plugin = KeyAuth();
  auto result = plugin.run(Case("GET", "http://api.test/orders"));
  EXPECT_THAT(result, HasStatus(401));
  EXPECT_THAT(result, HasJsonBody({{"message", "No API key found in request"}}));
  EXPECT_THAT(result, LacksUpstreamHeader("X-Consumer-ID"));
}

TEST(HeaderKeyAuth, RefusesAKeyWhoseConsumerKongCannotLoad) {
  auto plugin = KeyAuth();
  ::testing::NiceMock<kong::testing::MockPdk> kong;
  // Kong's database does not have the consumer any more.
  EXPECT_CALL(kong, client_load_consumer("alice", std::optional<bool>(true)))
      .WillOnce(Return(std::nullopt));
  EXPECT_CALL(kong, client_authenticate(_, _)).Times(0);
  auto result = plugin.run(WithAlicesKey(), kong);
  EXPECT_THAT(result, HasStatus(401));
  EXPECT_THAT(result, HasLogLine("err", "key of unknown consumer alice"));
}

TEST(HeaderKeyAuth, AuthenticatesTheConsumerItLoaded) {
  auto plugin = KeyAuth();
  ::testing::NiceMock<kong::testing::MockPdk> kong;
  EXPECT_CALL(
      kong,
      client_authenticate(
          ::testing::Optional(::testing::Field(&kong::entity::Consumer::id, "c-1")),
          ::testing::Optional(::testing::Field(&kong::entity::Credential::id, "key:k-alice"))));
  plugin.run(WithAlicesKey(), kong);
}

}  // namespace
