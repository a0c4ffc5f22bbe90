// MsgPack:1's messages: built and parsed in one place, for the server,
// mock-kong's client, the wire fuzzer and the benches.
#include "kong/protocol/rpc_message.h"

#include <set>

#include <gtest/gtest.h>

#include "kong/protocol/msgpack_codec.h"

namespace kong::protocol::rpc {
namespace {

Value decoded(const std::string& bytes) {
  auto value = msgpack_decode(bytes);
  EXPECT_TRUE(value) << value.error().message;
  return value ? *value : Value{};
}

TEST(RpcMessage, EveryCommandIsFoundByItsNameAndNoOtherNameFindsOne) {
  std::set<std::string_view> names;
  for (Command c : commands()) {
    EXPECT_TRUE(command_name(c).starts_with("plugin.")) << command_name(c);
    EXPECT_EQ(find_command(command_name(c)), c) << command_name(c);
    names.insert(command_name(c));
  }
  EXPECT_EQ(names.size(), commands().size());
  EXPECT_EQ(find_command("plugin.step"), std::nullopt);
  EXPECT_EQ(find_command("kong.request.get_header"), std::nullopt);
  EXPECT_EQ(find_command(""), std::nullopt);
}

TEST(RpcMessage, EachStepKindHasTheStepCommandKongAnswersItWith) {
  EXPECT_EQ(command_name(step_command(StepKind::plain)), "plugin.Step");
  EXPECT_EQ(command_name(step_command(StepKind::multimap)), "plugin.StepMultiMap");
  EXPECT_EQ(command_name(step_command(StepKind::credential)), "plugin.StepCredential");
  EXPECT_EQ(command_name(step_command(StepKind::consumer)), "plugin.StepConsumer");
  EXPECT_EQ(command_name(step_command(StepKind::route)), "plugin.StepRoute");
  EXPECT_EQ(command_name(step_command(StepKind::service)), "plugin.StepService");
  EXPECT_EQ(command_name(step_command(StepKind::memory_stats)), "plugin.StepMemoryStats");
}

TEST(RpcMessage, ARequestIsEncodedAsTheFourPartArrayAndParsedBack) {
  std::string bytes;
  encode(request(7, Command::handle_event, Array{Value("x")}), bytes, StrForm::kong);
  EXPECT_EQ(decoded(bytes), Value(Array{Value(0), Value(7), Value("plugin.HandleEvent"),
                                        Value(Array{Value("x")})}));
  auto parsed = parse_request(decoded(bytes));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->msgid, Value(7));
  EXPECT_EQ(parsed->method, "plugin.HandleEvent");
  EXPECT_EQ(parsed->params, Value(Array{Value("x")}));
}

TEST(RpcMessage, AResponseAndANotificationAreToldApartFromARequestByTheirShape) {
  std::string bytes;
  encode(Response{Value(3), Value{}, Value("ret")}, bytes);
  auto response = parse_message(decoded(bytes));
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_TRUE(std::holds_alternative<Response>(*response));
  EXPECT_EQ(std::get<Response>(*response).msgid, Value(3));
  EXPECT_TRUE(std::get<Response>(*response).error.is_nil());
  EXPECT_EQ(std::get<Response>(*response).result, Value("ret"));

  bytes.clear();
  encode(Notification{std::string(kServerPidLabel), Value(42)}, bytes);
  auto note = parse_message(decoded(bytes));
  ASSERT_TRUE(note) << note.error().message;
  ASSERT_TRUE(std::holds_alternative<Notification>(*note));
  EXPECT_EQ(std::get<Notification>(*note).label, kServerPidLabel);
  EXPECT_EQ(std::get<Notification>(*note).args, Value(42));
}

TEST(RpcMessage, AMessageOfNoShapeIsRefusedShowingWhatCame) {
  for (const Value& odd : {Value(Array{Value(0), Value(1)}), Value("plugin.Step"),
                           Value(Array{Value(3), Value(1), Value("m"), Value(Array{})}),
                           Value(Array{Value(2), Value(7), Value(1)})}) {
    auto parsed = parse_message(odd);
    ASSERT_FALSE(parsed) << to_debug_string(odd);
    EXPECT_EQ(parsed.error().message,
              "expected [0, msgid, method, params], [1, msgid, error, result] or [2, label, "
              "args], got " +
                  to_debug_string(odd));
  }
}

TEST(RpcMessage, ARequestWhoseMethodIsNoStringOrAResponseIsNoRequest) {
  const Value number_method(Array{Value(0), Value(1), Value(7), Value(Array{})});
  auto parsed = parse_request(number_method);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "expected a request [0, msgid, method, params], got " + to_debug_string(number_method));
  EXPECT_FALSE(parse_request(Value(Array{Value(1), Value(1), Value{}, Value{}})));
  // Params of the wrong type are still a request: the server answers it.
  auto map_params = parse_request(Value(Array{Value(0), Value(1), Value("plugin.Step"), Value(1)}));
  ASSERT_TRUE(map_params) << map_params.error().message;
  EXPECT_EQ(map_params->params, Value(1));
}

TEST(RpcMessage, ARequestHeadFollowedByItsParamsIsTheRequestEncodedWhole) {
  for (const StrForm form : {StrForm::compact, StrForm::kong}) {
    for (std::int64_t msgid : {1, 200, 70000}) {
      const Array params = {Value(Map{{Value("EventId"), Value(7)}}), Value(std::string(40, 'x'))};
      std::string whole;
      encode(request(msgid, Command::step, params), whole, form);
      std::string parts;
      encode_request_head(msgid, Command::step, params.size(), parts, form);
      for (const Value& p : params)
        msgpack_encode(p, parts, form);
      EXPECT_EQ(parts, whole) << msgid;
    }
  }
}

}  // namespace
}  // namespace kong::protocol::rpc
