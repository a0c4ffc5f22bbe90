#include "server/rpc_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pdk/server/test_plugin.h"
#include "pdk/test_values.h"
#include "server/blocking_pool.h"
#include "server/event_driver.h"
#include "server/event_loop.h"

namespace kong::test {
namespace {

using protocol::Array;
using protocol::Value;
using server::Reply;

Value CallData(std::string_view method, Array args) {
  return StrMap({{"Method", method}, {"Args", Value(std::move(args))}});
}

/// Where a deferred reply would go; these handlers never defer one.
class NoLaterReply final : public server::ReplyTo {
 public:
  void deliver(Reply) override { ADD_FAILURE() << "a reply came later than its request"; }
};

/// The reply `dispatched` gave at once.
Reply AtOnce(std::optional<Reply> dispatched) {
  if (!dispatched) {
    ADD_FAILURE() << "the reply did not come at once";
    return Reply{Value{}, "no reply at once"};
  }
  return std::move(*dispatched);
}

/// An event's answer: {"Data": D, "EventId": id}.
struct EventAnswer {
  std::int64_t event_id = -1;
  Value data;
};

::testing::AssertionResult Answered(const Reply& reply, EventAnswer& out) {
  if (!reply.error.empty())
    return ::testing::AssertionFailure() << "error: " << reply.error;
  const Value* id = reply.result.find("EventId");
  const Value* data = reply.result.find("Data");
  if (!id || !id->is_int() || !data) {
    return ::testing::AssertionFailure()
           << "expected {Data, EventId}, got " << to_debug_string(reply.result);
  }
  out = {id->as_int(), *data};
  return ::testing::AssertionSuccess();
}

class RpcDispatcher : public ::testing::Test {
 protected:
  Reply Call(std::string_view method, Array params) {
    return AtOnce(dispatcher_.dispatch(method, params, no_later_));
  }

  /// Starts an instance with `config`; its id, or -1 (and a failure).
  std::int64_t Start(std::string_view config) {
    const Reply r =
        Call("plugin.StartInstance", {StrMap({{"Name", "test-plugin"}, {"Config", config}})});
    EXPECT_EQ(r.error, "") << config;
    const Value* id = r.result.find("Id");
    return id && id->is_int() ? id->as_int() : -1;
  }

  Reply HandleEvent(std::int64_t instance, std::string_view phase = "access") {
    return Call("plugin.HandleEvent", {StrMap({{"InstanceId", instance}, {"EventName", phase}})});
  }

  Reply Step(std::int64_t event, Value data, std::string_view method = "plugin.Step") {
    return Call(method, {StrMap({{"EventId", event}, {"Data", std::move(data)}})});
  }

  /// Starts an access event of a `mode` instance, stopped at its first call.
  EventAnswer StartEvent(std::string_view mode) {
    const std::int64_t id = Start(R"({"mode": ")" + std::string(mode) + R"("})");
    EventAnswer a;
    EXPECT_TRUE(Answered(HandleEvent(id), a)) << mode;
    return a;
  }

  PluginType type_ = plugin_type<TestPlugin>("1.2.3", 7);
  server::StackPool stacks_{ServerOptions{}.handler_stack_bytes};
  server::Instances instances_{"test-plugin", type_};
  server::EventLoop loop_;
  server::BlockingPool blocking_{4, std::chrono::seconds(1)};
  server::EventDriver driver_{loop_, blocking_, stacks_};
  server::RpcDispatcher dispatcher_{instances_, driver_};
  NoLaterReply no_later_;
};

TEST_F(RpcDispatcher, UsesANonZeroSeqAsTheInstanceId) {
  const Reply r = Call(
      "plugin.StartInstance",
      {StrMap({{"Name", "test-plugin"}, {"Config", R"({"__seq__": 42, "__plugin_id": "abc"})"}})});
  ASSERT_EQ(r.error, "");
  ASSERT_NE(r.result.find("Id"), nullptr) << to_debug_string(r.result);
  EXPECT_EQ(*r.result.find("Id"), Value(42));
  EXPECT_EQ(dispatcher_.instance_count(), 1u);
}

TEST_F(RpcDispatcher, ChoosesItsOwnIdsWithoutASeqAndSkipsTakenOnes) {
  EXPECT_EQ(Start(R"({"__seq__": 2})"), 2);
  EXPECT_EQ(Start(R"({})"), 1);
  EXPECT_EQ(Start(R"({"__seq__": 0})"), 3);
  EXPECT_EQ(dispatcher_.instance_count(), 3u);
}

TEST_F(RpcDispatcher, AnswersTheDecodedConfigWithItsDefaults) {
  const Reply r = Call("plugin.StartInstance",
                       {StrMap({{"Name", "test-plugin"}, {"Config", R"({"mode": "exit"})"}})});
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(r.result.is_map()) << to_debug_string(r.result);
  EXPECT_EQ(*r.result.find("Name"), Value("test-plugin"));
  EXPECT_EQ(*r.result.find("Config"), StrMap({{"limit", 10}, {"mode", "exit"}}));
  ASSERT_NE(r.result.find("StartTime"), nullptr);
  EXPECT_TRUE(r.result.find("StartTime")->is_int());
}

TEST_F(RpcDispatcher, RefusesABadConfigNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"limit": "x"})",
       R"(plugin.StartInstance: config.limit: expected integer, got string "x")"},
      {R"({"limit": 0})",
       "plugin.StartInstance: config.limit: expected integer between 1 and 100, got 0"},
      {R"({"mode": ["a"]})", "plugin.StartInstance: config.mode: expected string, got array"},
      {"{not json", "plugin.StartInstance: Config is not valid JSON"},
  };
  for (const auto& [config, error] : cases) {
    const Reply r =
        Call("plugin.StartInstance", {StrMap({{"Name", "test-plugin"}, {"Config", config}})});
    EXPECT_EQ(r.error, error) << config;
  }
  EXPECT_EQ(dispatcher_.instance_count(), 0u);
}

TEST_F(RpcDispatcher, RefusesStartInstanceParamsOfTheWrongShape) {
  const std::string expected =
      "plugin.StartInstance: expected [{Name: string, Config: JSON string}]";
  EXPECT_EQ(Call("plugin.StartInstance", {}).error, expected + ", got no params");
  EXPECT_EQ(Call("plugin.StartInstance", {42}).error, expected + ", got [42]");
  EXPECT_EQ(Call("plugin.StartInstance", {StrMap({{"Name", "x"}})}).error,
            expected + R"(, got [{"Name": "x"}])");
  EXPECT_EQ(Call("plugin.StartInstance", {StrMap({{"Name", "x"}, {"Config", StrMap({})}})}).error,
            expected + R"(, got [{"Name": "x", "Config": {}}])");
}

TEST_F(RpcDispatcher, ReportsAndClosesInstances) {
  const std::int64_t id = Start(R"({"__seq__": 5, "mode": "return"})");
  const Reply status = Call("plugin.GetInstanceStatus", {id});
  ASSERT_EQ(status.error, "");
  EXPECT_EQ(*status.result.find("Id"), Value(5));
  EXPECT_EQ(*status.result.find("Config"), StrMap({{"limit", 10}, {"mode", "return"}}));
  const Reply closed = Call("plugin.CloseInstance", {id});
  ASSERT_EQ(closed.error, "");
  EXPECT_EQ(closed.result, status.result);
  EXPECT_EQ(dispatcher_.instance_count(), 0u);
  EXPECT_EQ(Call("plugin.GetInstanceStatus", {id}).error, "no plugin instance 5");
  EXPECT_EQ(Call("plugin.CloseInstance", {id}).error, "no plugin instance 5");
}

TEST_F(RpcDispatcher, AnswersUnknownInstanceIdsWithNoPluginInstance) {
  // Kong restarts its instances when an error contains "no plugin instance".
  EXPECT_EQ(Call("plugin.GetInstanceStatus", {99}).error, "no plugin instance 99");
  EXPECT_EQ(Call("plugin.CloseInstance", {99}).error, "no plugin instance 99");
  EXPECT_EQ(HandleEvent(99).error, "no plugin instance 99");
}

TEST_F(RpcDispatcher, RefusesInstanceIdsOfTheWrongShape) {
  EXPECT_EQ(Call("plugin.GetInstanceStatus", {"1"}).error,
            R"(plugin.GetInstanceStatus: expected [instance id], got ["1"])");
  EXPECT_EQ(Call("plugin.GetInstanceStatus", {}).error,
            "plugin.GetInstanceStatus: expected [instance id], got no params");
  EXPECT_EQ(Call("plugin.CloseInstance", {1, 2}).error,
            "plugin.CloseInstance: expected [instance id], got [1, 2]");
}

TEST_F(RpcDispatcher, RunsAnEventThroughItsPdkCallsToRet) {
  const std::int64_t id = Start(R"({"mode": "hello"})");
  EventAnswer a;
  ASSERT_TRUE(Answered(HandleEvent(id), a));
  EXPECT_EQ(a.data, CallData("kong.request.get_header", {"host"}));
  EXPECT_EQ(dispatcher_.running_events(), 1u);
  const std::int64_t event = a.event_id;
  ASSERT_TRUE(Answered(Step(event, "example.com"), a));
  EXPECT_EQ(a.event_id, event);
  EXPECT_EQ(a.data, CallData("kong.response.set_header", {"x-hello", "hi example.com"}));
  ASSERT_TRUE(Answered(Step(event, Value{}), a));
  EXPECT_EQ(a.event_id, event);
  EXPECT_EQ(a.data, Value("ret"));
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, RunsTheLogPhase) {
  const std::int64_t id = Start(R"({"mode": "return"})");
  EventAnswer a;
  ASSERT_TRUE(Answered(HandleEvent(id, "log"), a));
  EXPECT_EQ(a.data, CallData("kong.log.info", {"logged by ", "return"}));
  ASSERT_TRUE(Answered(Step(a.event_id, Value{}), a));
  EXPECT_EQ(a.data, Value("ret"));
}

TEST_F(RpcDispatcher, TakesAStepWithoutDataAsNil) {
  EventAnswer a = StartEvent("hello");
  const Reply r = Call("plugin.Step", {StrMap({{"EventId", a.event_id}})});
  ASSERT_TRUE(Answered(r, a));
  EXPECT_EQ(a.data, CallData("kong.response.set_header", {"x-hello", "hi nobody"}));
}

TEST_F(RpcDispatcher, RefusesAStepForAnUnknownEvent) {
  EXPECT_EQ(Step(12345, "x").error, "plugin.Step: no running event 12345");
  EventAnswer a = StartEvent("return");
  ASSERT_EQ(a.data, Value("ret"));
  EXPECT_EQ(Step(a.event_id, Value{}).error,
            "plugin.Step: no running event " + std::to_string(a.event_id));
  EXPECT_EQ(Step(a.event_id, Value{}, "plugin.StepMultiMap").error,
            "plugin.StepMultiMap: no running event " + std::to_string(a.event_id));
  EXPECT_EQ(Call("plugin.Step", {StrMap({{"Data", 1}})}).error,
            R"(plugin.Step: expected [{EventId: integer, Data: value}], got [{"Data": 1}])");
}

TEST_F(RpcDispatcher, RefusesEventsForPhasesWithoutAHandler) {
  const std::int64_t id = Start("{}");
  EXPECT_EQ(HandleEvent(id, "preread").error,
            R"(plugin.HandleEvent: test-plugin has no handler for phase "preread")");
  EXPECT_EQ(HandleEvent(id, "bogus").error,
            R"(plugin.HandleEvent: test-plugin has no handler for phase "bogus")");
  EXPECT_EQ(
      Call("plugin.HandleEvent", {StrMap({{"InstanceId", "1"}, {"EventName", "access"}})}).error,
      "plugin.HandleEvent: expected [{InstanceId: integer, EventName: string}], got "
      R"([{"InstanceId": "1", "EventName": "access"}])");
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, StepErrorMakesThePdkCallThrowInsideTheHandler) {
  EventAnswer a = StartEvent("catch");
  ASSERT_EQ(a.data, CallData("kong.request.get_header", {"x"}));
  ASSERT_TRUE(Answered(Step(a.event_id, "no such header", "plugin.StepError"), a));
  EXPECT_EQ(a.data, CallData("kong.log.err", {"kong.request.get_header: no such header"}));
  ASSERT_TRUE(Answered(Step(a.event_id, Value{}), a));
  EXPECT_EQ(a.data, Value("ret"));
}

TEST_F(RpcDispatcher, FailsTheEventOnAStepErrorTheHandlerDoesNotCatch) {
  EventAnswer a = StartEvent("hello");
  const Reply r = Step(a.event_id, "bad", "plugin.StepError");
  EXPECT_EQ(r.error, "test-plugin access handler failed: kong.request.get_header: bad");
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, AcceptsEveryTypedStepMethod) {
  for (const char* method :
       {"plugin.Step", "plugin.StepMultiMap", "plugin.StepCredential", "plugin.StepConsumer",
        "plugin.StepRoute", "plugin.StepService", "plugin.StepMemoryStats"}) {
    EventAnswer a = StartEvent("hello");
    ASSERT_TRUE(Answered(Step(a.event_id, "h", method), a)) << method;
    EXPECT_EQ(a.data, CallData("kong.response.set_header", {"x-hello", "hi h"})) << method;
  }
}

TEST_F(RpcDispatcher, DecodesAMultiMapStep) {
  EventAnswer a = StartEvent("headers");
  ASSERT_EQ(a.data, CallData("kong.request.get_headers", {100}));
  ASSERT_TRUE(Answered(
      Step(a.event_id, StrMap({{"a", Array{"1"}}, {"b", Array{"2", "3"}}}), "plugin.StepMultiMap"),
      a));
  EXPECT_EQ(a.data, CallData("kong.response.set_header", {"x-count", "2"}));
}

TEST_F(RpcDispatcher, RefusesUnknownMethods) {
  EXPECT_EQ(Call("plugin.Bogus", {}).error, "unknown method plugin.Bogus");
  EXPECT_EQ(Call("plugin.StepBogus", {StrMap({{"EventId", 1}})}).error,
            "unknown method plugin.StepBogus");
  EXPECT_EQ(Call("kong.request.get_header", {"host"}).error,
            "unknown method kong.request.get_header");
}

TEST_F(RpcDispatcher, AThrowingHandlerFailsOnlyItsEvent) {
  EventAnswer hello = StartEvent("hello");
  EventAnswer thrower = StartEvent("throw");
  ASSERT_EQ(thrower.data, CallData("kong.log.info", {"about to throw"}));
  EXPECT_EQ(Step(thrower.event_id, Value{}).error, "test-plugin access handler failed: boom");
  EXPECT_EQ(dispatcher_.running_events(), 1u);
  ASSERT_TRUE(Answered(Step(hello.event_id, "still.here"), hello));
  EXPECT_EQ(hello.data, CallData("kong.response.set_header", {"x-hello", "hi still.here"}));
  ASSERT_TRUE(Answered(Step(hello.event_id, Value{}), hello));
  EXPECT_EQ(hello.data, Value("ret"));
}

TEST_F(RpcDispatcher, NamesKongsPhaseErrorWhenAHandlerCallsInTheWrongPhase) {
  const std::int64_t id = Start(R"({"mode": "wrong-phase"})");
  EXPECT_EQ(HandleEvent(id).error,
            "test-plugin access handler failed: kong.response.get_status: function cannot be "
            "called in access phase (only in: response, header_filter, body_filter, log, error, "
            "admin_api)");
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, FailsTheEventOfAHandlerThrowingSomethingElse) {
  const std::int64_t id = Start(R"({"mode": "throw-other"})");
  EXPECT_EQ(HandleEvent(id).error,
            "test-plugin access handler failed: handler threw a non-standard exception");
}

TEST_F(RpcDispatcher, KeepsManyInterleavedEventsApart) {
  const std::int64_t id = Start(R"({"mode": "hello"})");
  std::vector<std::int64_t> events;
  for (int i = 0; i < 100; ++i) {
    EventAnswer a;
    ASSERT_TRUE(Answered(HandleEvent(id), a));
    events.push_back(a.event_id);
  }
  EXPECT_EQ(dispatcher_.running_events(), 100u);
  std::mt19937 rng(7);
  std::vector<std::int64_t> order = events;
  std::shuffle(order.begin(), order.end(), rng);
  for (std::int64_t e : order) {
    EventAnswer a;
    ASSERT_TRUE(Answered(Step(e, "h" + std::to_string(e)), a));
    EXPECT_EQ(a.event_id, e);
    EXPECT_EQ(a.data,
              CallData("kong.response.set_header", {"x-hello", "hi h" + std::to_string(e)}));
  }
  std::shuffle(order.begin(), order.end(), rng);
  for (std::int64_t e : order) {
    EventAnswer a;
    ASSERT_TRUE(Answered(Step(e, Value{}), a));
    EXPECT_EQ(a.data, Value("ret")) << "event " << e;
  }
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, EndsTheEventAtExitWithTheCallAsData) {
  EventAnswer a = StartEvent("exit");
  EXPECT_EQ(a.data, CallData("kong.response.exit",
                             {403, Bytes{"denied"}, StrMap({{"x-reason", Array{"test"}}})}));
  EXPECT_EQ(dispatcher_.running_events(), 0u);
  EXPECT_EQ(Step(a.event_id, Value{}).error,
            "plugin.Step: no running event " + std::to_string(a.event_id));
}

TEST_F(RpcDispatcher, KeepsTheExitOfAHandlerThatSwallowsItsUnwinding) {
  EventAnswer a = StartEvent("swallow-exit");
  EXPECT_EQ(a.data, CallData("kong.response.exit", {401}));
  EXPECT_EQ(dispatcher_.running_events(), 0u);
}

TEST_F(RpcDispatcher, ExpiresIdleEventsAndUnwindsTheirHandlers) {
  EventAnswer a = StartEvent("hello");
  const int unwound = g_unwound_handlers;
  dispatcher_.expire_events(std::chrono::hours(1));
  EXPECT_EQ(dispatcher_.running_events(), 1u);
  dispatcher_.expire_events(std::chrono::seconds(0));
  EXPECT_EQ(dispatcher_.running_events(), 0u);
  EXPECT_EQ(g_unwound_handlers, unwound + 1);
  EXPECT_EQ(Step(a.event_id, "late").error,
            "plugin.Step: no running event " + std::to_string(a.event_id));
}

TEST_F(RpcDispatcher, LetsRunningEventsFinishAfterTheirInstanceCloses) {
  EventAnswer a = StartEvent("hello");
  const Reply closed = Call("plugin.CloseInstance", {1});
  ASSERT_EQ(closed.error, "");
  ASSERT_TRUE(Answered(Step(a.event_id, "h"), a));
  EXPECT_EQ(a.data, CallData("kong.response.set_header", {"x-hello", "hi h"}));
  ASSERT_TRUE(Answered(Step(a.event_id, Value{}), a));
  EXPECT_EQ(a.data, Value("ret"));
}

TEST(RpcDispatcherLifetime, UnwindsRunningEventsWhenDestroyed) {
  const PluginType type = plugin_type<TestPlugin>("1.2.3", 7);
  const int unwound = g_unwound_handlers;
  server::StackPool stacks(ServerOptions{}.handler_stack_bytes);
  server::Instances instances("test-plugin", type);
  server::EventLoop loop;
  server::BlockingPool blocking(1, std::chrono::seconds(1));
  server::EventDriver driver(loop, blocking, stacks);
  NoLaterReply no_later;
  {
    server::RpcDispatcher dispatcher(instances, driver);
    AtOnce(dispatcher.dispatch("plugin.StartInstance", {StrMap({{"Name", "t"}, {"Config", "{}"}})},
                               no_later));
    for (int i = 0; i < 3; ++i) {
      AtOnce(dispatcher.dispatch("plugin.HandleEvent",
                                 {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}, no_later));
    }
    ASSERT_EQ(dispatcher.running_events(), 3u);
  }
  EXPECT_EQ(g_unwound_handlers, unwound + 3);
  EXPECT_EQ(stacks.idle(), 3u);
}

}  // namespace
}  // namespace kong::test
