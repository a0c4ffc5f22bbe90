#include "kong/pdk/channel.h"

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/pdk/pdk.h"

#include "pdk/every_pdk_function.h"
#include "pdk/fake_channel.h"
#include "pdk/test_values.h"

namespace kong {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;
using test::CallCase;
using test::CallsAre;
using test::EveryPdkFunction;
using test::FakeChannel;
using test::StrMap;

// Whether some phase a plugin handler runs in allows the call.
bool AllowedInAPluginPhase(const protocol::MethodInfo& info) {
  for (Phase p : kAllPhases) {
    if (info.allowed_in(protocol::bit(p)))
      return true;
  }
  return false;
}

TEST(TypedPdk, SendsEachCallWithKongsNameAndArguments) {
  for (const auto& c : EveryPdkFunction()) {
    const protocol::MethodInfo* info = protocol::find_method(c.expected.method);
    ASSERT_NE(info, nullptr) << c.expected.method;
    if (!AllowedInAPluginPhase(*info))
      continue;  // refused before sending: RefusesACallInAPhaseKongRefusesItInBeforeSending
    ASSERT_TRUE(info->allowed_in(protocol::bit(c.phase))) << c.what << " in " << to_string(c.phase);
    FakeChannel channel(c.phase);
    channel.answer(c.answer);
    Pdk kong(channel);
    c.call(kong);
    EXPECT_TRUE(CallsAre(channel, {c.expected})) << c.what;
  }
}

TEST(TypedPdk, CoversEveryFunctionOfTheMethodTable) {
  std::set<std::string> called;
  for (const auto& c : EveryPdkFunction())
    called.insert(c.expected.method);
  for (const auto& m : protocol::kMethods) {
    EXPECT_TRUE(called.contains(std::string(m.name))) << m.name << " has no case here";
  }
}

TEST(TypedPdk, RefusesACallInAPhaseKongRefusesItInBeforeSending) {
  for (const auto& c : EveryPdkFunction()) {
    const protocol::MethodInfo* info = protocol::find_method(c.expected.method);
    ASSERT_NE(info, nullptr) << c.expected.method;
    for (Phase p : kAllPhases) {
      FakeChannel channel(p);
      channel.answer(c.answer);
      Pdk kong(channel);
      if (info->allowed_in(protocol::bit(p))) {
        c.call(kong);
        EXPECT_EQ(channel.calls().size(), 1u) << c.what << " in " << to_string(p);
        continue;
      }
      try {
        c.call(kong);
        ADD_FAILURE() << c.what << " in " << to_string(p) << ": no PdkError";
      } catch (const PdkError& e) {
        EXPECT_EQ(e.what(), c.expected.method + ": " + info->phase_error(to_string(p))) << c.what;
        EXPECT_EQ(e.function(), c.expected.method);
      }
      EXPECT_TRUE(channel.calls().empty()) << c.what << " in " << to_string(p) << " was sent";
    }
  }
}

TEST(TypedPdk, RefusesResponseGetStatusInAccessWithKongsText) {
  FakeChannel channel(Phase::access);
  Pdk kong(channel);
  try {
    kong.response.get_status();
    FAIL() << "no PdkError";
  } catch (const PdkError& e) {
    EXPECT_STREQ(e.what(),
                 "kong.response.get_status: function cannot be called in access phase (only in: "
                 "response, header_filter, body_filter, log, error, admin_api)");
    EXPECT_EQ(e.function(), "kong.response.get_status");
  }
  EXPECT_TRUE(channel.calls().empty());
}

TEST(TypedPdk, RefusesExitInLogBeforeSending) {
  FakeChannel channel(Phase::log);
  Pdk kong(channel);
  try {
    kong.response.exit(403);
    FAIL() << "no PdkError";
  } catch (const PdkError& e) {
    EXPECT_STREQ(e.what(),
                 "kong.response.exit: function cannot be called in log phase (only in: rewrite, "
                 "access, balancer, response, header_filter, error, admin_api)");
  }
  EXPECT_TRUE(channel.calls().empty());
}

TEST(TypedPdk, ExitSendsStatusBodyAsBinAndHeadersThenUnwinds) {
  FakeChannel channel(Phase::access);
  Pdk kong(channel);
  bool resumed = false;
  EXPECT_THROW(
      {
        kong.response.exit(403, "denied", MultiMap{{"x-reason", {"test"}}});
        resumed = true;
      },
      EventEnded);
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(CallsAre(channel, {{"kong.response.exit",
                                  {403, Bytes{"denied"}, StrMap({{"x-reason", Array{"test"}}})}}}));
}

TEST(TypedPdk, ExitLeavesOutWhatWasNotGiven) {
  FakeChannel status_only(Phase::access);
  Pdk a(status_only);
  EXPECT_THROW(a.response.exit(204), EventEnded);
  EXPECT_TRUE(CallsAre(status_only, {{"kong.response.exit", {204}}}));

  FakeChannel no_body(Phase::rewrite);
  Pdk b(no_body);
  EXPECT_THROW(b.response.exit(302, {}, MultiMap{{"location", {"/x"}}}), EventEnded);
  EXPECT_TRUE(CallsAre(
      no_body, {{"kong.response.exit", {302, Value{}, StrMap({{"location", Array{"/x"}}})}}}));

  FakeChannel empty_body(Phase::response);
  Pdk c(empty_body);
  EXPECT_THROW(c.response.exit(200, ""), EventEnded);
  EXPECT_TRUE(CallsAre(empty_body, {{"kong.response.exit", {200, Bytes{""}}}}));
}

TEST(TypedPdk, ExitSendsAJsonBodyAsATable) {
  FakeChannel channel(Phase::access);
  Pdk kong(channel);
  EXPECT_THROW(kong.response.exit(400, nlohmann::json{{"message", "bad"}}), EventEnded);
  EXPECT_TRUE(CallsAre(channel, {{"kong.response.exit", {400, StrMap({{"message", "bad"}})}}}));
}

TEST(TypedPdk, ErrorSendsStatusMessageAndHeadersThenUnwinds) {
  FakeChannel channel(Phase::access);
  Pdk kong(channel);
  bool resumed = false;
  EXPECT_THROW(
      {
        kong.response.error(429, nlohmann::json{{"retry", 5}}, MultiMap{{"retry-after", {"5"}}});
        resumed = true;
      },
      EventEnded);
  EXPECT_FALSE(resumed);
  EXPECT_TRUE(
      CallsAre(channel, {{"kong.response.error",
                          {429, StrMap({{"retry", 5}}), StrMap({{"retry-after", Array{"5"}}})}}}));
}

TEST(TypedPdk, ErrorWithoutAMessageLeavesItToKong) {
  FakeChannel channel(Phase::response);
  Pdk kong(channel);
  EXPECT_THROW(kong.response.error(404), EventEnded);
  EXPECT_TRUE(CallsAre(channel, {{"kong.response.error", {404}}}));
}

TEST(TypedPdk, EndsEventsWithSomethingCatchingStdExceptionCannotSwallow) {
  static_assert(!std::is_base_of_v<std::exception, EventEnded>);
  FakeChannel channel(Phase::access);
  Pdk kong(channel);
  bool swallowed = false;
  try {
    try {
      kong.response.exit(500);
    } catch (const std::exception&) {
      swallowed = true;
    }
  } catch (const EventEnded&) {
  }
  EXPECT_FALSE(swallowed);
}

struct BadResultCase {
  const char* what;
  std::function<void(Pdk&)> call;
  Value answer;
  const char* error;
};

TEST(TypedPdk, RefusesAResultOfTheWrongTypeNamingTheFunction) {
  const BadResultCase cases[] = {
      {"get_header", [](Pdk& k) { k.request.get_header("h"); }, 5,
       "kong.request.get_header: expected string or nil result, got integer 5"},
      {"get_port", [](Pdk& k) { k.request.get_port(); }, "x",
       R"(kong.request.get_port: expected integer result, got string "x")"},
      {"get_port", [](Pdk& k) { k.request.get_port(); }, 80.5,
       "kong.request.get_port: expected integer result, got number 80.5"},
      {"get_port", [](Pdk& k) { k.request.get_port(); }, Value{},
       "kong.request.get_port: expected integer result, got nil"},
      {"get_headers", [](Pdk& k) { k.request.get_headers(); }, "x",
       R"(kong.request.get_headers: expected map of string lists result, got string "x")"},
      {"get_headers", [](Pdk& k) { k.request.get_headers(); }, StrMap({{"a", 1}}),
       R"(kong.request.get_headers: expected map of string lists result, got map {"a": 1})"},
      {"get_ip", [](Pdk& k) { k.client.get_ip(); }, Array{"1"},
       R"(kong.client.get_ip: expected string result, got array ["1"])"},
      {"get_raw_body", [](Pdk& k) { k.request.get_raw_body(); }, true,
       "kong.request.get_raw_body: expected bytes or nil result, got boolean true"},
      {"get_query_arg", [](Pdk& k) { k.request.get_query_arg("q"); }, 5,
       "kong.request.get_query_arg: expected string, true or nil result, got integer 5"},
      {"get_query_arg", [](Pdk& k) { k.request.get_query_arg("q"); }, false,
       "kong.request.get_query_arg: expected string, true or nil result, got boolean false"},
  };
  for (const auto& c : cases) {
    FakeChannel channel(Phase::access);
    channel.answer(c.answer);
    Pdk kong(channel);
    try {
      c.call(kong);
      ADD_FAILURE() << c.what << " accepted " << protocol::to_debug_string(c.answer);
    } catch (const PdkError& e) {
      EXPECT_STREQ(e.what(), c.error);
    }
  }
}

TEST(TypedPdk, ReturnsResultsAsTheirCppTypes) {
  FakeChannel channel(Phase::access);
  channel.answer("example.com")
      .answer(Value{})
      .answer(443.0)
      .answer(StrMap({{"accept", Array{"a", "b"}}, {"host", "h"}}))
      .answer(Array{})
      .answer("raw")
      .answer(Value{})
      .answer(StrMap({{"n", 1}}))
      .answer(Bytes{"10.0.0.1"});
  Pdk kong(channel);
  EXPECT_EQ(kong.request.get_header("host"), "example.com");
  EXPECT_EQ(kong.request.get_header("missing"), std::nullopt);
  EXPECT_EQ(kong.request.get_port(), 443);
  EXPECT_EQ(kong.request.get_headers(), (MultiMap{{"accept", {"a", "b"}}, {"host", {"h"}}}));
  EXPECT_EQ(kong.request.get_query(), MultiMap{});
  EXPECT_EQ(kong.request.get_raw_body(), Bytes{"raw"});
  EXPECT_EQ(kong.request.get_raw_body(), std::nullopt);
  EXPECT_EQ(kong.ctx.shared.get("k"), nlohmann::json({{"n", 1}}));
  EXPECT_EQ(kong.client.get_ip(), "10.0.0.1");
}

TEST(TypedPdk, GetQueryArgGivesAnEmptyValueForAFlag) {
  FakeChannel channel(Phase::access);
  channel.answer(true).answer(Value{}).answer("v").answer(Bytes{"b"});
  Pdk kong(channel);
  EXPECT_EQ(kong.request.get_query_arg("debug"), "");
  EXPECT_EQ(kong.request.get_query_arg("missing"), std::nullopt);
  EXPECT_EQ(kong.request.get_query_arg("q"), "v");
  EXPECT_EQ(kong.request.get_query_arg("b"), "b");
}

TEST(TypedPdk, ReportsThePhaseOfItsChannel) {
  for (Phase p : kAllPhases) {
    FakeChannel channel(p);
    EXPECT_EQ(Pdk(channel).phase(), p);
  }
}

TEST(TypedPdk, RunsAHandlerAsAScriptedTranscript) {
  FakeChannel channel(Phase::access);
  channel.answer("example.com");
  Pdk kong(channel);
  const std::string host = kong.request.get_header("host").value_or("");
  kong.response.set_header("x-hello-from-cpp", "C++ says hi to " + host);
  EXPECT_TRUE(CallsAre(
      channel, {{"kong.request.get_header", {"host"}},
                {"kong.response.set_header", {"x-hello-from-cpp", "C++ says hi to example.com"}}}));
}

TEST(PdkBlocking, ReturnsWhatTheWorkReturned) {
  test::FakeChannel channel;
  Pdk kong(channel);
  EXPECT_EQ(kong.blocking([] { return std::string("looked up"); }), "looked up");
  int ran = 0;
  kong.blocking([&] { ++ran; });
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(channel.calls().empty());
}

TEST(PdkBlocking, ThrowsWhatTheWorkThrewInTheHandler) {
  test::FakeChannel channel;
  Pdk kong(channel);
  EXPECT_THROW(kong.blocking([]() -> int { throw std::out_of_range("no such key"); }),
               std::out_of_range);
  EXPECT_THROW(kong.blocking([] { throw std::runtime_error("down"); }), std::runtime_error);
}

TEST(PdkBlocking, TakesAResultThatCannotBeCopied) {
  test::FakeChannel channel;
  Pdk kong(channel);
  auto owned = kong.blocking([] { return std::make_unique<int>(7); });
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, 7);
}

}  // namespace
}  // namespace kong
