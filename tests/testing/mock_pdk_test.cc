// GoogleMock for PDK calls: expectations and overrides on some functions,
// Kong's emulation for the rest.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "kong/testing.h"

namespace kong::testing {
namespace {

using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::StrictMock;

struct Greeter {
  static constexpr auto fields() { return std::tuple{}; }
  void access(Pdk& kong) {
    const auto host = kong.request.get_header("host").value_or("nobody");
    kong.response.set_header("x-greeting", "hello " + host);
    kong.log.info("greeted ", host);
  }
};

TEST(MockPdk, OverridesOneAnswerWhileKongAnswersTheRest) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  EXPECT_CALL(kong, request_get_header("host")).WillOnce(Return("b.test"));
  auto result = plugin.run(Case("GET", "http://a.test/"), kong);
  // set_header and log went to the emulation, with the mocked host.
  EXPECT_THAT(result, HasHeader("x-greeting", "hello b.test"));
  EXPECT_THAT(result, HasLogLine("info", "greeted b.test"));
}

TEST(MockPdk, WithoutExpectationsEveryCallIsKongs) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  auto result = plugin.run(Case("GET", "http://a.test/"), kong);
  EXPECT_THAT(result, HasHeader("x-greeting", "hello a.test"));
}

TEST(MockPdk, AMockedCallIsTracedWithTheMockedAnswer) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  ON_CALL(kong, request_get_header(_)).WillByDefault(Return("c.test"));
  auto result = plugin.run(Case(), kong);
  ASSERT_FALSE(result.run->state.trace.empty());
  EXPECT_EQ(result.run->state.trace[0].method, "kong.request.get_header");
  EXPECT_EQ(result.run->state.trace[0].result, protocol::Value("c.test"));
}

TEST(MockPdk, AnOverriddenSetterChangesNothingInKong) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  EXPECT_CALL(kong, response_set_header("x-greeting", _)).WillOnce(Return());
  EXPECT_THAT(plugin.run(Case(), kong), LacksHeader("x-greeting"));
}

TEST(MockPdk, MatchesHeaderValuesWithEq) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  EXPECT_CALL(kong, response_set_header("x-greeting", ::testing::Eq("hello localhost")));
  plugin.run(Case(), kong);
}

TEST(MockPdk, RaiseLuaErrorFailsTheCallAsKongsPdkWould) {
  Plugin<Greeter> plugin;
  NiceMock<MockPdk> kong;
  EXPECT_CALL(kong, request_get_header(_)).WillOnce(RaiseLuaError("header name must be a string"));
  auto result = plugin.run(Case(), kong);
  EXPECT_THAT(result, HasStatus(500));
  EXPECT_THAT(result, HasError("kong.request.get_header: header name must be a string"));
}

TEST(MockPdk, AnUnmetExpectationFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        Plugin<Greeter> plugin;
        NiceMock<MockPdk> kong;
        EXPECT_CALL(kong, log_err(_));
        plugin.run(Case(), kong);
      },
      "Actual: never called");
}

TEST(MockPdk, AStrictMockFailsOnACallNobodyExpected) {
  EXPECT_NONFATAL_FAILURE(
      {
        Plugin<Greeter> plugin;
        StrictMock<MockPdk> kong;
        EXPECT_CALL(kong, request_get_header("host"));
        EXPECT_CALL(kong, response_set_header(_, _));
        plugin.run(Case(), kong);  // and kong.log.info, which nobody expects
      },
      "Uninteresting mock function call");
}

}  // namespace
}  // namespace kong::testing
