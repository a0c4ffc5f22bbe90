// What --fuzz-wire sends and how it judges what comes back, without a
// server: the inputs a seed makes, and answers told apart from garbage.
#include "fuzz/wire_exchange.h"

#include <set>

#include <gtest/gtest.h>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/rpc_message.h"

#include "fuzz/wire_mutator.h"

namespace kong::mock {
namespace {

using protocol::Value;

WireMutator::Target HelloTarget(Protocol protocol) {
  WireMutator::Target t;
  t.protocol = protocol;
  t.plugin_name = "hello";
  t.config = R"({"greeting":"hi"})";
  t.instance_id = 1;
  t.phases = {Phase::access};
  return t;
}

TEST(WireMutator, TheSameSeedMakesTheSameInputs) {
  for (Protocol p : {Protocol::msgpack, Protocol::protobuf}) {
    WireMutator a(HelloTarget(p), 5);
    WireMutator b(HelloTarget(p), 5);
    for (int i = 0; i < 500; ++i) {
      const WireInput x = a.next();
      const WireInput y = b.next();
      ASSERT_EQ(x.what, y.what);
      ASSERT_EQ(x.bytes, y.bytes) << x.what;
      ASSERT_EQ(x.complete, y.complete) << x.what;
    }
  }
}

TEST(WireMutator, BreaksEachPartOfBothProtocolsAndSaysWhichInTheTitle) {
  for (Protocol p : {Protocol::msgpack, Protocol::protobuf}) {
    WireMutator mutator(HelloTarget(p), 1);
    std::set<std::string> kinds;
    for (int i = 0; i < 3000; ++i) {
      const WireInput in = mutator.next();
      EXPECT_FALSE(in.what.empty());
      kinds.insert(in.what);
    }
    for (const std::string& expected :
         p == Protocol::msgpack
             ? std::vector<std::string>{"random bytes", "the reserved byte 0xc1",
                                        "an array32 declaring 4 GiB",
                                        "arrays nested past any depth", "a request of two parts",
                                        "a method Kong does not call",
                                        "a plugin.Step for an event never started",
                                        "many requests in one write",
                                        "an event whose first PDK call is answered with a value "
                                        "of the wrong type"}
             : std::vector<std::string>{"random bytes", "a frame declaring 4 GiB",
                                        "an empty frame (an RpcCall without a command)",
                                        "a frame of random bytes", "a cmd_handle_event cut short",
                                        "many frames in one write",
                                        "an event whose first PDK call is answered with random "
                                        "bytes"}) {
      EXPECT_EQ(kinds.count(expected), 1u) << expected;
    }
  }
}

TEST(WireMutator, ACallWithAFieldOfTheWrongTypeIsOtherwiseWhatKongSends) {
  WireMutator mutator(HelloTarget(Protocol::msgpack), 2);
  int seen = 0;
  for (int i = 0; i < 3000 && seen < 20; ++i) {
    const WireInput in = mutator.next();
    if (!in.what.starts_with("a plugin.HandleEvent whose InstanceId is"))
      continue;
    ++seen;
    auto value = protocol::msgpack_decode(in.bytes);
    ASSERT_TRUE(value) << value.error().message;
    auto request = protocol::rpc::parse_request(*value);
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->method, "plugin.HandleEvent");
    const Value& event = request->params.as_array().at(0);
    EXPECT_NE(*event.find("InstanceId"), Value(1)) << protocol::to_debug_string(event);
    EXPECT_EQ(*event.find("EventName"), Value("access"));
  }
  EXPECT_GT(seen, 0);
}

std::string Checked(Protocol protocol, const std::string& bytes) {
  return check_answer(protocol, take_apart(protocol, bytes));
}

std::string Encoded(const protocol::rpc::Response& r) {
  std::string out;
  protocol::rpc::encode(r, out);
  return out;
}

TEST(CheckAnswer, AnswersAndNotificationsPassAndAnythingElseIsNamed) {
  std::string good;
  protocol::rpc::encode(protocol::rpc::Notification{"serverPid", Value(7)}, good);
  good += Encoded({Value(1), Value("no such instance"), Value{}});
  EXPECT_EQ(Checked(Protocol::msgpack, good), "");
  EXPECT_EQ(take_apart(Protocol::msgpack, good).answers(), 1u);

  std::string request;
  protocol::rpc::encode(protocol::rpc::request(1, protocol::rpc::Command::step, {}), request);
  EXPECT_EQ(Checked(Protocol::msgpack, request), "a request, where Kong waits for an answer");
  EXPECT_TRUE(Checked(Protocol::msgpack, "\xc1").starts_with("an answer that is no MessagePack"));
  EXPECT_TRUE(Checked(Protocol::msgpack, "\x93\x02")
                  .starts_with("an answer cut short by the close (2 bytes of it came)"));
  EXPECT_TRUE(
      Checked(Protocol::msgpack, "\x92\x01\x02").starts_with("an answer of the wrong shape"));
}

TEST(CheckAnswer, WholeFramesPassAndAFrameCutShortIsNamed) {
  std::string frames;
  protocol::append_frame(frames, "abc");
  protocol::append_frame(frames, "");
  EXPECT_EQ(Checked(Protocol::protobuf, frames), "");
  EXPECT_EQ(take_apart(Protocol::protobuf, frames).answers(), 2u);
  EXPECT_EQ(Checked(Protocol::protobuf, frames + std::string("\x05\x00\x00\x00"
                                                             "ab",
                                                             6)),
            "a frame cut short by the close (6 bytes of it came)");
}

}  // namespace
}  // namespace kong::mock
