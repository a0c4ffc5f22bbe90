// Socket replays from a test: a fixture against a plugin server in any
// language, with the same result type as in-process runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

// The library without MockPdk, whose 110 mock methods cost every file that
// includes them seconds of compile time.
#include "kong/testing/case.h"
#include "kong/testing/fixture.h"
#include "kong/testing/matchers.h"
#include "kong/testing/plugin.h"
#include "kong/testing/replay.h"

#include "support/test_support.h"

namespace kong::testing {
namespace {

std::string HelloFixture() {
  return std::string(kong::test::kSourceDir) + "/examples/hello/fixtures/hello.json";
}

TEST(SocketReplay, PlaysEveryCaseOfAFixtureAgainstAPluginServer) {
  const ReplayResult r = replay(HelloFixture(), {kong::test::kHelloBin});
  ASSERT_TRUE(r.ran()) << r.error;
  EXPECT_EQ(r.plugin.name, "hello");
  EXPECT_EQ(r.plugin.protocol, "MsgPack:1");
  ASSERT_EQ(r.cases.size(), 4u);
  for (const auto& c : r.cases)
    EXPECT_THAT(c, Passes());
  EXPECT_THAT(r.cases[3], HasStatus(503));
  EXPECT_TRUE(r.passed());
}

TEST(SocketReplay, SpeaksTheProtocolThePluginNames) {
  const ReplayResult r = replay(HelloFixture(), {kong::test::kHelloBin, "-protocol", "ProtoBuf:1"});
  ASSERT_TRUE(r.ran()) << r.error;
  EXPECT_EQ(r.plugin.protocol, "ProtoBuf:1");
  EXPECT_TRUE(r.passed());
}

TEST(SocketReplay, TakesKongsQueryAndStartCommands) {
  mock::ServerCommand server;
  server.query_cmd = std::string(kong::test::kHelloBin) + " -kong-prefix $KONG_PREFIX -dump";
  server.start_cmd = std::string(kong::test::kHelloBin) + " -kong-prefix $KONG_PREFIX";
  ReplayOptions options;
  options.cases = {"greets even*"};
  const ReplayResult r = replay(HelloFixture(), server, options);
  ASSERT_TRUE(r.ran()) << r.error;
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].name, "greets even when the upstream fails");
}

TEST(SocketReplay, SaysWhyItCouldNotRun) {
  const ReplayResult missing = replay("/nonexistent.json", {kong::test::kHelloBin});
  EXPECT_FALSE(missing.ran());
  EXPECT_THAT(missing.error, ::testing::HasSubstr("/nonexistent.json: cannot open"));
  const ReplayResult no_server = replay(HelloFixture(), {"/nonexistent/plugin"});
  EXPECT_FALSE(no_server.ran());
  EXPECT_THAT(no_server.error, ::testing::HasSubstr("query command"));
  EXPECT_FALSE(no_server.passed());
}

}  // namespace
}  // namespace kong::testing
