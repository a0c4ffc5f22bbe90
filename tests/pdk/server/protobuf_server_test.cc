// The plugin server serving ProtoBuf:1 (protocol.md §4), as Kong meets it: a
// process, a unix socket, length-prefixed frames.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/pdk/config.h"
#include "kong/protocol/frame_stream.h"

#include "pdk/server/gate.h"
#include "pdk/server/server_process.h"
#include "pdk/server/socket_client.h"
#include "pdk/server/test_plugin.h"
#include "pdk/test_values.h"
#include "proto/kong_plugin_protocol.pb.h"
#include "support/test_support.h"

namespace kong::test {
namespace {

namespace pb = kong_plugin_protocol;
namespace gpb = google::protobuf;

/// A ProtoBuf:1 connection, as Kong's cosockets make them: frames both ways.
class FrameClient {
 public:
  explicit FrameClient(const std::string& path) : socket_(path) {}

  bool connected() const { return socket_.connected(); }

  ::testing::AssertionResult SendBytes(std::string_view bytes) { return socket_.SendBytes(bytes); }

  ::testing::AssertionResult SendFrame(std::string_view payload) {
    std::string bytes;
    protocol::append_frame(bytes, payload);
    return SendBytes(bytes);
  }

  ::testing::AssertionResult Send(const gpb::Message& message) {
    return SendFrame(message.SerializeAsString());
  }

  ::testing::AssertionResult Receive(std::string& frame, std::string_view awaited) {
    std::string error;
    for (;;) {
      std::string_view next;
      switch (in_.next(next, error)) {
        case protocol::FrameStream::Status::frame:
          frame = std::string(next);
          return ::testing::AssertionSuccess();
        case protocol::FrameStream::Status::error:
          return ::testing::AssertionFailure() << "bad bytes awaiting " << awaited << ": " << error;
        case protocol::FrameStream::Status::need_more:
          break;
      }
      if (auto read = socket_.ReadInto(in_, awaited); !read)
        return read;
    }
  }

  /// The next frame, parsed as `M`.
  template <class M>
  ::testing::AssertionResult ReceiveMessage(M& out, std::string_view awaited) {
    std::string frame;
    if (auto got = Receive(frame, awaited); !got)
      return got;
    if (!out.ParseFromString(frame)) {
      return ::testing::AssertionFailure() << "awaiting " << awaited << ", got bytes " << Hex(frame)
                                           << " that are no " << M::descriptor()->full_name();
    }
    return ::testing::AssertionSuccess();
  }

  /// The server closes the connection with nothing more: no frame, no byte.
  ::testing::AssertionResult ReceiveClose(std::string_view awaited) {
    std::string stray;
    auto closed = socket_.WaitForClose(awaited, stray);
    if (!closed)
      return closed;
    if (in_.buffered() != 0 || !stray.empty()) {
      return ::testing::AssertionFailure()
             << in_.buffered() + stray.size() << " more bytes came awaiting " << awaited << ": "
             << Hex(stray);
    }
    return ::testing::AssertionSuccess();
  }

 private:
  SocketClient socket_;
  protocol::FrameStream in_;
};

pb::RpcCall StartInstanceCall(std::int64_t sequence, std::string_view config,
                              std::string_view name = kTestPluginName) {
  pb::RpcCall call;
  call.set_sequence(sequence);
  call.mutable_cmd_start_instance()->set_name(std::string(name));
  call.mutable_cmd_start_instance()->set_config(std::string(config));
  return call;
}

pb::RpcCall HandleEventCall(std::int64_t sequence, std::int32_t instance_id,
                            std::string_view phase = "access") {
  pb::RpcCall call;
  call.set_sequence(sequence);
  call.mutable_cmd_handle_event()->set_instance_id(instance_id);
  call.mutable_cmd_handle_event()->set_event_name(std::string(phase));
  return call;
}

pb::RpcCall InstanceStatusCall(std::int64_t sequence, std::int32_t instance_id) {
  pb::RpcCall call;
  call.set_sequence(sequence);
  call.mutable_cmd_get_instance_status()->set_instance_id(instance_id);
  return call;
}

std::string StringMessage(std::string_view v) {
  pb::String s;
  s.set_v(std::string(v));
  return s.SerializeAsString();
}

// kong.response.set_header's input: KV{k, v = a string Value}.
std::string SetHeaderArgs(std::string_view name, std::string_view value) {
  pb::KV kv;
  kv.set_k(std::string(name));
  kv.mutable_v()->set_string_value(std::string(value));
  return kv.SerializeAsString();
}

std::string ListOfStrings(const std::vector<std::string>& values) {
  gpb::ListValue list;
  for (const auto& v : values)
    list.add_values()->set_string_value(v);
  return list.SerializeAsString();
}

class ProtobufServer : public ServerTest {
 protected:
  void StartProtobufServer(std::vector<std::string> extra_args = {}) {
    extra_args.insert(extra_args.begin(), {"-protocol", "ProtoBuf:1"});
    StartServer(kTestPluginBin, kTestPluginName, std::move(extra_args));
  }

  std::unique_ptr<FrameClient> Connect() {
    auto client = std::make_unique<FrameClient>(socket_path_);
    EXPECT_TRUE(client->connected()) << "connecting to " << socket_path_;
    return client;
  }

  /// Sends `call` and returns the RpcReturn answering it.
  pb::RpcReturn Call(FrameClient& kong, const pb::RpcCall& call) {
    EXPECT_TRUE(kong.Send(call));
    pb::RpcReturn answer;
    EXPECT_TRUE(kong.ReceiveMessage(
        answer, "the RpcReturn of sequence " + std::to_string(call.sequence())));
    EXPECT_EQ(answer.sequence(), call.sequence());
    return answer;
  }

  /// Starts an instance of `mode` whose __seq__, and so its id, is `id`.
  void StartInstance(FrameClient& kong, std::int32_t id, std::string_view mode) {
    const pb::RpcReturn r =
        Call(kong, StartInstanceCall(100 + id, R"({"__seq__": )" + std::to_string(id) +
                                                   R"(, "mode": ")" + std::string(mode) + "\"}"));
    EXPECT_EQ(r.instance_status().instance_id(), id) << r.DebugString();
  }

  /// A new connection on which an instance of `mode` (its id `instance_id`)
  /// has started and Kong has sent cmd_handle_event for access, sequence 2.
  std::unique_ptr<FrameClient> StartAccessEvent(std::string_view mode, std::int32_t instance_id) {
    auto kong = Connect();
    StartInstance(*kong, instance_id, mode);
    EXPECT_TRUE(kong->Send(HandleEventCall(2, instance_id)));
    return kong;
  }

  /// Expects the server's next PDK call: the method name frame, then its
  /// input message's frame.
  void ExpectCall(FrameClient& kong, std::string_view method, std::string_view input) {
    std::string frame;
    ASSERT_TRUE(kong.Receive(frame, "the method name of " + std::string(method)));
    EXPECT_EQ(frame, method);
    ASSERT_TRUE(kong.Receive(frame, "the input message of " + std::string(method)));
    EXPECT_EQ(Hex(frame), Hex(input)) << method;
  }

  /// Expects the end of an event: an empty frame, then its RpcReturn.
  void ExpectEventEnd(FrameClient& kong, std::int64_t sequence) {
    std::string frame;
    ASSERT_TRUE(kong.Receive(frame, "the empty frame that ends the event"));
    EXPECT_EQ(Hex(frame), "");
    pb::RpcReturn done;
    ASSERT_TRUE(kong.ReceiveMessage(done, "the event's RpcReturn"));
    EXPECT_EQ(done.sequence(), sequence);
    EXPECT_EQ(done.return_case(), pb::RpcReturn::RETURN_NOT_SET);
  }

  /// A new connection still gets a good answer to a good command.
  void ExpectServerStillServes() {
    auto kong = Connect();
    const pb::RpcReturn r = Call(*kong, StartInstanceCall(77, R"({"__seq__": 700})"));
    EXPECT_EQ(r.instance_status().instance_id(), 700) << r.DebugString();
  }

  void ExpectLogged(std::string_view text) {
    const std::string log = server_->log();
    EXPECT_NE(log.find(text), std::string::npos) << "\"" << text << "\" not in:\n" << log;
  }
};

TEST_F(ProtobufServer, DumpsProtoBufAsItsProtocolWhenTold) {
  for (const char* flag : {"-protocol ProtoBuf:1", "--protocol=protobuf"}) {
    const CommandResult r = RunCommand(std::string(kTestPluginBin) + " -dump " + flag);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto info = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(info.is_discarded()) << "not JSON: " << r.out;
    EXPECT_EQ(info["Protocol"], "ProtoBuf:1") << flag;
  }
}

TEST_F(ProtobufServer, DumpsTheProtocolThePluginChoseInCodeUnlessTheCommandLineOverrides) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "ProtoBuf:1"},
      {" -protocol MsgPack:1", "MsgPack:1"},
  };
  for (const auto& [flags, protocol] : cases) {
    const CommandResult r =
        RunCommand(std::string(KONG_TEST_PLUGIN_PROTOBUF_BIN) + " -dump" + flags);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto info = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(info.is_discarded()) << "not JSON: " << r.out;
    EXPECT_EQ(info["Protocol"], protocol) << "flags:" << flags;
  }
}

TEST_F(ProtobufServer, ServesProtoBufWhenThePluginChoseItInCode) {
  StartServer(KONG_TEST_PLUGIN_PROTOBUF_BIN, "pdk_test_plugin_protobuf");
  auto kong = Connect();
  EXPECT_EQ(Call(*kong, StartInstanceCall(1, R"({"__seq__": 4})")).instance_status().instance_id(),
            4);
}

TEST_F(ProtobufServer, StartsAnInstanceAndReportsAndClosesItUnderTheCallsSequence) {
  StartProtobufServer();
  auto kong = Connect();
  const auto before = static_cast<std::int64_t>(std::time(nullptr));
  const pb::RpcReturn started =
      Call(*kong, StartInstanceCall(11, R"({"__seq__": 5, "mode": "return"})"));
  ASSERT_TRUE(started.has_instance_status()) << started.DebugString();
  const pb::InstanceStatus& status = started.instance_status();
  EXPECT_EQ(status.name(), kTestPluginName);
  EXPECT_EQ(status.instance_id(), 5);
  const auto& config = status.config().struct_value().fields();
  ASSERT_EQ(config.size(), 2u) << status.DebugString();
  EXPECT_EQ(config.at("mode").string_value(), "return");
  EXPECT_EQ(config.at("limit").number_value(), 10);
  EXPECT_GE(status.started_at(), before);
  EXPECT_LE(status.started_at(), static_cast<std::int64_t>(std::time(nullptr)));

  // One connection serves command after command, as Kong's keep-alive pool uses it.
  pb::RpcReturn got = Call(*kong, InstanceStatusCall(12, 5));
  EXPECT_EQ(got.instance_status().DebugString(), status.DebugString());
  pb::RpcCall close;
  close.set_sequence(13);
  close.mutable_cmd_close_instance()->set_instance_id(5);
  got = Call(*kong, close);
  EXPECT_EQ(got.instance_status().DebugString(), status.DebugString());

  ASSERT_TRUE(kong->Send(InstanceStatusCall(14, 5)));
  EXPECT_TRUE(kong->ReceiveClose("the server to close without an answer"));
  ExpectLogged("cmd_get_instance_status: no plugin instance 5");
}

TEST_F(ProtobufServer, AnswersItsPluginNameAndInfo) {
  StartProtobufServer();
  auto kong = Connect();
  pb::RpcCall names;
  names.set_sequence(1);
  names.mutable_cmd_get_plugin_names();
  const pb::RpcReturn named = Call(*kong, names);
  ASSERT_EQ(named.plugin_names().names_size(), 1) << named.DebugString();
  EXPECT_EQ(named.plugin_names().names(0), kTestPluginName);

  pb::RpcCall info_call;
  info_call.set_sequence(2);
  info_call.mutable_cmd_get_plugin_info()->set_name(kTestPluginName);
  const pb::RpcReturn answered = Call(*kong, info_call);
  const pb::PluginInfo& info = answered.plugin_info();
  EXPECT_EQ(info.name(), kTestPluginName);
  EXPECT_EQ(std::vector<std::string>(info.phases().begin(), info.phases().end()),
            (std::vector<std::string>{"access", "log"}));
  EXPECT_EQ(info.version(), "1.2.3");
  EXPECT_EQ(info.priority(), 7);
  EXPECT_EQ(nlohmann::json::parse(info.schema(), nullptr, false),
            nlohmann::json({{"name", kTestPluginName},
                            {"fields", {{{"config", config_schema<TestPlugin>()}}}}}));
  EXPECT_GT(info.loaded_at(), 0);
  EXPECT_EQ(info.updated_at(), info.loaded_at());
}

TEST_F(ProtobufServer, RunsAnEventOnItsConnectionThroughEachPdkCall) {
  StartProtobufServer();
  auto kong = Connect();
  StartInstance(*kong, 3, "hello");
  ASSERT_TRUE(kong->Send(HandleEventCall(21, 3)));
  ExpectCall(*kong, "kong.request.get_header", StringMessage("host"));
  ASSERT_TRUE(kong->SendFrame(StringMessage("example.com")));
  ExpectCall(*kong, "kong.response.set_header", SetHeaderArgs("x-hello", "hi example.com"));
  ASSERT_TRUE(kong->SendFrame(""));  // google.protobuf.Empty
  ExpectEventEnd(*kong, 21);
  // The connection goes back to Kong's pool and serves the next command.
  EXPECT_EQ(Call(*kong, InstanceStatusCall(22, 3)).instance_status().instance_id(), 3);
}

TEST_F(ProtobufServer, RunsEventsOfSeveralConnectionsAtOnce) {
  StartProtobufServer();
  auto first = Connect();
  auto second = Connect();
  StartInstance(*first, 3, "hello");
  ASSERT_TRUE(first->Send(HandleEventCall(1, 3)));
  ExpectCall(*first, "kong.request.get_header", StringMessage("host"));
  ASSERT_TRUE(second->Send(HandleEventCall(2, 3, "log")));
  ExpectCall(*second, "kong.log.info", ListOfStrings({"logged by ", "hello"}));
  ASSERT_TRUE(second->SendFrame(""));
  ExpectEventEnd(*second, 2);
  ASSERT_TRUE(first->SendFrame(""));  // no host header: nil
  ExpectCall(*first, "kong.response.set_header", SetHeaderArgs("x-hello", "hi nobody"));
  ASSERT_TRUE(first->SendFrame(""));
  ExpectEventEnd(*first, 1);
}

TEST_F(ProtobufServer, SaysWhenAHandlerHoldsTheThreadPastTheThreshold) {
  // "hold" sleeps 10 ms before its call: past a 5 ms threshold.
  StartProtobufServer({"-stall-ms", "5"});
  auto kong = StartAccessEvent("hold", 5);
  ExpectCall(*kong, "kong.request.get_header", StringMessage("host"));
  EXPECT_NE(
      server_->log().find("pdk_test_plugin: the access handler held the server's thread for "),
      std::string::npos)
      << server_->log();
}

TEST_F(ProtobufServer, AHandlerWaitingInKongBlockingDoesNotDelayAnEventOnAnotherConnection) {
  StartProtobufServer();
  Gate gate(dir_.file("gate"));
  auto slow = Connect();
  StartInstance(*slow, 1, "blocking:" + gate.path());
  ASSERT_TRUE(slow->Send(HandleEventCall(2, 1)));
  ASSERT_TRUE(gate.AwaitWork());
  // While event 1 waits in kong.blocking, event 2 runs from start to end.
  auto fast = StartAccessEvent("hello", 3);
  ExpectCall(*fast, "kong.request.get_header", StringMessage("host"));
  ASSERT_TRUE(fast->SendFrame(StringMessage("example.com")));
  ExpectCall(*fast, "kong.response.set_header", SetHeaderArgs("x-hello", "hi example.com"));
  ASSERT_TRUE(fast->SendFrame(""));
  ExpectEventEnd(*fast, 2);

  gate.Open();
  ExpectCall(*slow, "kong.request.get_header", StringMessage("host"));
  ASSERT_TRUE(slow->SendFrame(StringMessage("example.com")));
  ExpectCall(*slow, "kong.response.set_header",
             SetHeaderArgs("x-blocked", "waited for example.com"));
  ASSERT_TRUE(slow->SendFrame(""));
  ExpectEventEnd(*slow, 2);
}

TEST_F(ProtobufServer, RunsConstHandlersOfManyConnectionsOnSeveralThreadsAtOnce) {
  // Every log event but the first (measured holding the loop's lock) runs
  // out of it, on three serving threads.
  StartProtobufServer({"-threads", "3", "-offload-us", "0"});
  auto first = Connect();
  StartInstance(*first, 1, "many");
  ASSERT_TRUE(first->Send(HandleEventCall(2, 1, "log")));
  ExpectCall(*first, "kong.log.info", ListOfStrings({"logged by ", "many"}));
  ASSERT_TRUE(first->SendFrame(""));
  ExpectEventEnd(*first, 2);

  std::vector<std::unique_ptr<FrameClient>> kong;
  for (int c = 0; c < 8; ++c) {
    kong.push_back(Connect());
    ASSERT_TRUE(kong.back()->Send(HandleEventCall(10 + c, 1, "log")));
  }
  for (auto& k : kong)
    ExpectCall(*k, "kong.log.info", ListOfStrings({"logged by ", "many"}));
  for (auto& k : kong)
    ASSERT_TRUE(k->SendFrame(""));
  for (int c = 0; c < 8; ++c)
    ExpectEventEnd(*kong[c], 10 + c);
  std::ifstream status("/proc/" + std::to_string(server_->pid()) + "/status");
  std::string line;
  while (std::getline(status, line) && !line.starts_with("Threads:")) {
  }
  EXPECT_NE(line, "Threads:\t1") << "no other thread served the loop";
}

TEST_F(ProtobufServer, OnSigtermFinishesTheEventOnItsConnectionThenExits) {
  StartProtobufServer();
  auto kong = StartAccessEvent("hello", 3);
  ExpectCall(*kong, "kong.request.get_header", StringMessage("host"));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  ASSERT_TRUE(kong->SendFrame(StringMessage("example.com")));
  ExpectCall(*kong, "kong.response.set_header", SetHeaderArgs("x-hello", "hi example.com"));
  ASSERT_TRUE(kong->SendFrame(""));
  ExpectEventEnd(*kong, 2);
  int status = 0;
  ASSERT_TRUE(server_->WaitForExit(status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(server_->log().find("unfinished"), std::string::npos) << server_->log();
}

TEST_F(ProtobufServer, ClosesTheConnectionAfterTheTwoFramesOfAnExit) {
  StartProtobufServer();
  auto kong = StartAccessEvent("exit", 9);
  pb::ExitArgs exit;
  exit.set_status(403);
  exit.set_body("denied");
  auto& reason = (*exit.mutable_headers()->mutable_fields())["x-reason"];
  reason.mutable_list_value()->add_values()->set_string_value("test");
  ExpectCall(*kong, "kong.response.exit", exit.SerializeAsString());
  EXPECT_TRUE(kong->ReceiveClose("the server to close after the exit"));
  ExpectServerStillServes();
}

TEST_F(ProtobufServer, SendsAThrowingHandlersFailureWhereKongReadsAMethodNameAndCloses) {
  StartProtobufServer();
  auto kong = StartAccessEvent("throw", 4);
  ExpectCall(*kong, "kong.log.info", ListOfStrings({"about to throw"}));
  ASSERT_TRUE(kong->SendFrame(""));
  ExpectCall(*kong, "pdk_test_plugin access handler failed: boom", "");
  EXPECT_TRUE(kong->ReceiveClose("the server to close after the failure"));
  ExpectServerStillServes();
}

TEST_F(ProtobufServer, FailsACallKongHasNoRpcForInTheHandlerWithoutSendingIt) {
  StartProtobufServer();
  auto kong = StartAccessEvent("no-rpc", 6);
  // The handler caught the PdkError of kong.cluster.get_id and logs it: the
  // first frames are that log call's.
  ExpectCall(*kong, "kong.log.err",
             ListOfStrings({"kong.cluster.get_id: Kong has no ProtoBuf:1 rpc for this function; "
                            "serving the plugin over MsgPack:1 reaches it"}));
  ASSERT_TRUE(kong->SendFrame(""));
  ExpectEventEnd(*kong, 2);
}

TEST_F(ProtobufServer, ThrowsAnAnswerThatIsNotTheOutputMessageInTheHandler) {
  StartProtobufServer();
  auto kong = StartAccessEvent("catch", 7);
  ExpectCall(*kong, "kong.request.get_header", StringMessage("x"));
  ASSERT_TRUE(kong->SendFrame(test::Raw({0xff, 0xff})));
  std::string frame;
  ASSERT_TRUE(kong->Receive(frame, "the log call's name"));
  EXPECT_EQ(frame, "kong.log.err");
  gpb::ListValue logged;
  ASSERT_TRUE(kong->ReceiveMessage(logged, "the log call's arguments"));
  ASSERT_EQ(logged.values_size(), 1);
  EXPECT_TRUE(logged.values(0).string_value().starts_with(
      "kong.request.get_header: 2 bytes are not a kong_plugin_protocol.String message"))
      << logged.values(0).string_value();
  ASSERT_TRUE(kong->SendFrame(""));
  ExpectEventEnd(*kong, 2);
}

TEST_F(ProtobufServer, ClosesWithoutAnAnswerForAnUnknownInstanceOrPhase) {
  StartProtobufServer();
  {
    auto kong = Connect();
    ASSERT_TRUE(kong->Send(HandleEventCall(3, 77)));
    EXPECT_TRUE(kong->ReceiveClose("the server to close without an answer"));
  }
  ExpectLogged("cmd_handle_event (sequence 3): no plugin instance 77");
  {
    auto kong = Connect();
    StartInstance(*kong, 8, "hello");
    ASSERT_TRUE(kong->Send(HandleEventCall(4, 8, "preread")));
    EXPECT_TRUE(kong->ReceiveClose("the server to close without an answer"));
  }
  ExpectLogged(
      R"(cmd_handle_event (sequence 4): pdk_test_plugin has no handler for phase "preread")");
  ExpectServerStillServes();
}

TEST_F(ProtobufServer, ClosesWithoutAnAnswerForABadConfig) {
  StartProtobufServer();
  auto kong = Connect();
  ASSERT_TRUE(kong->Send(StartInstanceCall(5, R"({"limit": 0})")));
  EXPECT_TRUE(kong->ReceiveClose("the server to close without an answer"));
  ExpectLogged(
      "RpcCall at byte 0 (sequence 5): cmd_start_instance: config.limit: expected integer "
      "between 1 and 100, got 0");
  ExpectServerStillServes();
}

TEST_F(ProtobufServer, ClosesOnlyTheConnectionOfAnOversizeFrame) {
  StartProtobufServer({"-max-message-bytes", "1024"});
  auto other = Connect();
  auto kong = Connect();
  // A length prefix declaring 2048 bytes, and none of them.
  ASSERT_TRUE(kong->SendBytes(test::Raw({0x00, 0x08, 0x00, 0x00})));
  EXPECT_TRUE(kong->ReceiveClose("the server to close the connection"));
  ExpectLogged("frame at byte 0: declares 2048 bytes, more than the limit of 1024");
  EXPECT_EQ(Call(*other, StartInstanceCall(1, R"({"__seq__": 2})")).instance_status().instance_id(),
            2);
}

TEST_F(ProtobufServer, ClosesOnlyTheConnectionOfAFrameThatIsNoRpcCall) {
  StartProtobufServer();
  auto other = Connect();
  StartInstance(*other, 1, "return");
  {
    auto kong = Connect();
    ASSERT_TRUE(kong->SendFrame(test::Raw({0xff, 0xff, 0xff})));
    EXPECT_TRUE(kong->ReceiveClose("the server to close the connection"));
  }
  ExpectLogged("frame at byte 0: 3 bytes are not an RpcCall");
  {
    // Good protobuf, but no command: after a good call, at its byte offset.
    auto kong = Connect();
    const std::string good = InstanceStatusCall(1, 1).SerializeAsString();
    pb::RpcCall empty;
    empty.set_sequence(2);
    std::string bytes;
    protocol::append_frame(bytes, good);
    protocol::append_frame(bytes, empty.SerializeAsString());
    ASSERT_TRUE(kong->SendBytes(bytes));
    pb::RpcReturn answer;
    ASSERT_TRUE(kong->ReceiveMessage(answer, "the answer to the good call"));
    EXPECT_EQ(answer.instance_status().instance_id(), 1);
    EXPECT_TRUE(kong->ReceiveClose("the server to close the connection"));
    ExpectLogged("RpcCall at byte " + std::to_string(4 + good.size()) +
                 " (sequence 2): no command this server knows");
  }
  ASSERT_TRUE(other->Send(HandleEventCall(3, 1)));
  ExpectEventEnd(*other, 3);
}

TEST_F(ProtobufServer, KeepsServingWhenKongClosesAConnectionMidEvent) {
  StartProtobufServer();
  {
    auto kong = Connect();
    StartInstance(*kong, 3, "hello");
    ASSERT_TRUE(kong->Send(HandleEventCall(2, 3)));
    ExpectCall(*kong, "kong.request.get_header", StringMessage("host"));
  }
  ExpectServerStillServes();
}

}  // namespace
}  // namespace kong::test
