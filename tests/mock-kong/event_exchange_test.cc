// An event's HandleEvent and Steps over MsgPack:1, written and read without
// building the message's Values: byte for byte what the general encoder
// writes, and, for every answer, what the general reading makes of it or
// nothing (the general path then reads it).
#include "client/event_exchange.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kong/protocol/msgpack_codec.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Nil;
using protocol::Value;
namespace rpc = protocol::rpc;

std::string encoded(const Value& v) {
  std::string out;
  protocol::msgpack_encode(v, out);
  return out;
}

Value answer(std::int64_t msgid, Value error, Value result) {
  return Value(Array{Value(1), Value(msgid), std::move(error), std::move(result)});
}

Value call_of(std::string method, Array args) {
  return Value(
      Map{{Value("Method"), Value(std::move(method))}, {Value("Args"), Value(std::move(args))}});
}

Value event(std::int64_t id, Value data) {
  return Value(Map{{Value("EventId"), Value(id)}, {Value("Data"), std::move(data)}});
}

TEST(EventExchange, AnEventCallIsWrittenByteForByteAsTheGeneralEncoderWritesIt) {
  const std::vector<EventParams> params = {
      {"InstanceId", 3, "EventName", Value("access")},
      {"EventId", 70000, "Data", Value(Nil{})},
      {"EventId", 1, "Data", Value(std::string(40, 'h'))},
      {"EventId", 1, "Data", Value(Map{{Value("x-a"), Value(Array{Value("1"), Value("2")})}})},
      {"EventId", -5, "Data", Value(Bytes{"body"})},
  };
  for (const EventParams& p : params) {
    for (const auto command : {rpc::Command::handle_event, rpc::Command::step_multimap}) {
      std::string direct;
      encode_event_call(9, command, p, direct);
      std::string general;
      rpc::encode(rpc::request(9, command, to_array(p)), general, protocol::StrForm::kong);
      EXPECT_EQ(direct, general) << protocol::to_debug_string(p.data);
    }
  }
}

TEST(EventExchange, TheUsualAnswerIsReadAsTheGeneralReadingReadsIt) {
  const std::vector<Value> results = {
      event(4, Value("ret")),
      event(4, Value(Bytes{"ret"})),
      event(4, call_of("kong.request.get_header", {Value("host")})),
      event(70000,
            call_of(std::string(40, 'm'), {Value(1), Value(Map{{Value("k"), Value(true)}})})),
      event(4, Value(Map{{Value("Method"), Value("kong.log.err")}})),  // no Args
      // Keys in another order.
      Value(Map{{Value("Data"), Value(Map{{Value("Args"), Value(Array{})},
                                          {Value("Method"), Value("kong.nginx.get_ctx")}})},
                {Value("EventId"), Value(2)}}),
  };
  for (const Value& result : results) {
    const std::string bytes = encoded(answer(12, Value(Nil{}), result)) + "more";
    EventStep fast;
    fast.args = {Value("stale")};
    ASSERT_EQ(read_event_step(bytes, 12, fast), bytes.size() - 4)
        << protocol::to_debug_string(result);
    EventStep general;
    Value decoded = result;
    ASSERT_TRUE(event_step_of(decoded, general));
    EXPECT_EQ(fast.event_id, general.event_id);
    EXPECT_EQ(fast.over, general.over);
    if (!general.over) {
      EXPECT_EQ(fast.method, general.method);
      EXPECT_EQ(fast.args, general.args);
    }
  }
}

TEST(EventExchange, AnyOtherAnswerIsLeftToTheGeneralPath) {
  const Value usual = event(4, call_of("kong.request.get_header", {Value("host")}));
  const std::vector<std::string> others = {
      encoded(answer(12, Value("boom"), Value(Nil{}))),                // an error
      encoded(answer(13, Value(Nil{}), usual)),                        // another msgid
      encoded(Value(Array{Value(2), Value("serverPid"), Value(77)})),  // a notification
      encoded(answer(12, Value(Nil{}), event(4, Value("done")))),
      encoded(answer(12, Value(Nil{}), event(4, Value(Nil{})))),
      encoded(answer(12, Value(Nil{}), Value(Map{{Value("EventId"), Value(4)}}))),
      encoded(answer(12, Value(Nil{}), Value(Map{{Value("Data"), Value("ret")}}))),
      encoded(answer(12, Value(Nil{}),
                     Value(Map{{Value("EventId"), Value(4)},
                               {Value("EventId"), Value(5)},
                               {Value("Data"), Value("ret")}}))),  // a key twice
      encoded(answer(12, Value(Nil{}),
                     Value(Map{{Value("EventId"), Value(4)},
                               {Value("Data"), Value("ret")},
                               {Value("Extra"), Value(1)}}))),
      encoded(
          answer(12, Value(Nil{}),
                 event(4, Value(Map{{Value("Method"), Value("m")}, {Value("Args"), Value(1)}})))),
      encoded(answer(12, Value(Nil{}), event(4, Value(Map{{Value("Method"), Value(3)}})))),
      encoded(answer(12, Value(Nil{}), event(4, Value(1)))),
      encoded(Value(Array{Value(1), Value(12), Value(Nil{}), usual, Value(0)})),
  };
  for (const std::string& bytes : others) {
    EventStep step;
    EXPECT_EQ(read_event_step(bytes, 12, step), 0u) << bytes.size();
  }
  // The usual answer, cut anywhere: not all there.
  const std::string whole = encoded(answer(12, Value(Nil{}), usual));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    EventStep step;
    EXPECT_EQ(read_event_step(whole.substr(0, cut), 12, step), 0u) << "cut at " << cut;
  }
}

TEST(EventExchange, AnAnswerOfAnotherShapeIsRefusedShowingWhatCame) {
  EventStep step;
  Value no_id = Value(Map{{Value("Data"), Value("ret")}});
  EXPECT_EQ(event_step_of(no_id, step).error().message,
            R"(expected {EventId: integer, Data} from the plugin server, got {"Data": "ret"})");
  Value done = event(4, Value("done"));
  EXPECT_EQ(event_step_of(done, step).error().message,
            R"(expected Data "ret" or a PDK call {Method, Args}, got "done")");
  Value nothing = Value(Map{{Value("EventId"), Value(4)}});
  EXPECT_EQ(event_step_of(nothing, step).error().message,
            R"(expected Data "ret" or a PDK call {Method, Args}, got nothing)");
}

}  // namespace
}  // namespace kong::mock
