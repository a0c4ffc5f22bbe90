// The plugin server as Kong meets it: a process, a unix socket, MsgPack:1.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/protocol/msgpack_stream.h"

#include "pdk/server/gate.h"
#include "pdk/server/server_process.h"
#include "pdk/server/socket_client.h"
#include "pdk/server/test_plugin.h"
#include "pdk/test_values.h"
#include "support/test_support.h"

namespace kong::test {
namespace {

using namespace std::chrono_literals;
using protocol::Array;
using protocol::Value;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

/// A MsgPack:1 connection, as Kong's cosockets make them.
class Client {
 public:
  explicit Client(const std::string& path) : socket_(path) {}

  bool connected() const { return socket_.connected(); }

  ::testing::AssertionResult SendBytes(std::string_view bytes) { return socket_.SendBytes(bytes); }

  ::testing::AssertionResult Send(const Value& message) {
    return SendBytes(Encode(message, protocol::StrForm::kong));  // strings as Kong writes them
  }

  ::testing::AssertionResult Receive(Value& out, std::string_view awaited) {
    std::string error;
    for (;;) {
      switch (in_.next(out, error)) {
        case protocol::MsgpackStream::Status::value:
          return ::testing::AssertionSuccess();
        case protocol::MsgpackStream::Status::error:
          return ::testing::AssertionFailure() << "bad bytes awaiting " << awaited << ": " << error;
        case protocol::MsgpackStream::Status::need_more:
          break;
      }
      if (auto read = socket_.ReadInto(in_, awaited); !read)
        return read;
    }
  }

  /// The server closes the connection, with no further message.
  ::testing::AssertionResult ReceiveClose(std::string_view awaited) {
    std::string stray;
    auto closed = socket_.WaitForClose(awaited, stray);
    auto space = in_.prepare(stray.size());
    std::copy(stray.begin(), stray.end(), space.begin());
    in_.commit(stray.size());
    Value v;
    std::string error;
    if (in_.next(v, error) == protocol::MsgpackStream::Status::value)
      return ::testing::AssertionFailure()
             << "got " << to_debug_string(v) << " awaiting " << awaited;
    return closed;
  }

  void ShutdownWrite() { socket_.ShutdownWrite(); }

  /// Nothing has arrived that is not read yet.
  bool Quiet() const { return in_.buffered() == 0 && !socket_.HasInput(); }

 private:
  SocketClient socket_;
  protocol::MsgpackStream in_;
};

Value Request(std::int64_t msgid, std::string_view method, Array params) {
  return Value(Array{0, msgid, method, Value(std::move(params))});
}

Value Response(std::int64_t msgid, Value error, Value result) {
  return Value(Array{1, msgid, std::move(error), std::move(result)});
}

Value EventData(std::int64_t event_id, Value data) {
  return StrMap({{"Data", std::move(data)}, {"EventId", event_id}});
}

Value CallData(std::string_view method, Array args) {
  return StrMap({{"Method", method}, {"Args", Value(std::move(args))}});
}

/// The threads of process `pid`, from /proc; -1 if unreadable.
int ThreadCount(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("Threads:"))
      return std::stoi(line.substr(8));
  }
  return -1;
}

class PluginServer : public ServerTest {
 protected:
  /// A new connection, past the serverPid notification that opens it.
  std::unique_ptr<Client> Connect() {
    auto client = std::make_unique<Client>(socket_path_);
    EXPECT_TRUE(client->connected()) << "connecting to " << socket_path_;
    Value first;
    EXPECT_TRUE(client->Receive(first, "the serverPid notification"));
    EXPECT_EQ(first, Value(Array{2, "serverPid", server_->pid()}));
    return client;
  }

  /// Sends a request on `client` and returns the response to it.
  Value Call(Client& client, std::int64_t msgid, std::string_view method, Array params) {
    EXPECT_TRUE(client.Send(Request(msgid, method, std::move(params))));
    Value response;
    EXPECT_TRUE(client.Receive(response, "the response to " + std::string(method)));
    return response;
  }

  Value StartInstance(Client& client, std::int64_t msgid, std::string_view name,
                      std::string_view config) {
    return Call(client, msgid, "plugin.StartInstance",
                {StrMap({{"Name", name}, {"Config", config}})});
  }

  /// examples/hello's access event, message by message.
  void ExpectHelloAccessEvent();

  /// Over `client`: instance 1 of the test plugin in hello mode, and an
  /// access event of it started by request 2, waiting for Kong's answer
  /// to its first call.
  void StartHelloEvent(Client& client) {
    StartInstance(client, 1, kTestPluginName, R"({"__seq__": 1, "mode": "hello"})");
    EXPECT_EQ(Call(client, 2, "plugin.HandleEvent",
                   {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
              Response(2, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
  }

  /// The server exits with status 0.
  void ExpectCleanExit() {
    int status = 0;
    ASSERT_TRUE(server_->WaitForExit(status));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }

  /// Over `client`: instance `instance` of the test plugin, whose access
  /// handler waits in kong.blocking until `gate` opens, and an event of it
  /// started by request `msgid`, whose handler waits there now.
  void StartEventBlockedAt(Client& client, Gate& gate, std::int64_t instance, std::int64_t msgid) {
    StartInstance(client, instance, kTestPluginName,
                  R"({"__seq__": )" + std::to_string(instance) + R"(, "mode": "blocking:)" +
                      gate.path() + R"("})");
    ASSERT_TRUE(
        client.Send(Request(msgid, "plugin.HandleEvent",
                            {StrMap({{"InstanceId", instance}, {"EventName", "access"}})})));
    ASSERT_TRUE(gate.AwaitWork());
  }

  /// A new connection still gets a good answer to a good call.
  void ExpectServerStillServes() {
    auto client = Connect();
    const Value r = StartInstance(*client, 77, kTestPluginName, R"({"__seq__": 700})");
    ASSERT_TRUE(r.is_array() && r.as_array().size() == 4) << to_debug_string(r);
    EXPECT_EQ(r.as_array()[1], Value(77));
    EXPECT_EQ(r.as_array()[2], Value{});
    EXPECT_EQ(*r.as_array()[3].find("Id"), Value(700));
  }

  /// Expects the error answer the server sends before closing a connection.
  void ExpectRefusedAndClosed(Client& client, const std::string& error) {
    Value r;
    ASSERT_TRUE(client.Receive(r, "the refusal"));
    EXPECT_EQ(r, Value(Array{1, Value{}, error, Value{}}));
    EXPECT_TRUE(client.ReceiveClose("the server to close the connection"));
  }
};

TEST_F(PluginServer, DumpsItsPluginInfoAsJsonForKong) {
  const CommandResult r =
      RunCommand(std::string(kTestPluginBin) + " -dump -kong-prefix " + dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto info = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << "not JSON: " << r.out;
  EXPECT_EQ(info["Protocol"], "MsgPack:1");
  EXPECT_EQ(info["SocketPath"], dir_.file("pdk_test_plugin.socket"));
  ASSERT_EQ(info["Plugins"].size(), 1u) << r.out;
  const auto& plugin = info["Plugins"][0];
  EXPECT_EQ(plugin["Name"], kTestPluginName);
  EXPECT_EQ(plugin["Phases"], nlohmann::json({"access", "log"}));
  EXPECT_EQ(plugin["Version"], "1.2.3");
  EXPECT_EQ(plugin["Priority"], 7);
  EXPECT_EQ(plugin["Schema"],
            nlohmann::json({{"name", kTestPluginName},
                            {"fields", {{{"config", config_schema<TestPlugin>()}}}}}));
}

TEST_F(PluginServer, DumpsTheHelloExample) {
  const CommandResult r = RunCommand(std::string(kHelloBin) + " --dump");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto info = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << "not JSON: " << r.out;
  EXPECT_EQ(info["SocketPath"], "/usr/local/kong/hello.socket");
  EXPECT_EQ(info["Plugins"][0]["Name"], "hello");
  EXPECT_EQ(info["Plugins"][0]["Phases"], nlohmann::json({"access"}));
  EXPECT_EQ(info["Plugins"][0]["Version"], "0.1.0");
  EXPECT_EQ(info["Plugins"][0]["Priority"], 1);
  EXPECT_EQ(info["Plugins"][0]["Schema"], nlohmann::json::parse(R"({"name": "hello", "fields":
      [{"config": {"type": "record", "fields": [{"message": {"type": "string"}}]}}]})"));
}

TEST_F(PluginServer, PrintsItsUsageForHelp) {
  const CommandResult r = RunCommand(std::string(kTestPluginBin) + " -help");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(r.out.starts_with("Usage: pdk_test_plugin [flags]\n")) << r.out;
}

TEST_F(PluginServer, RefusesAnUnknownFlagWithItsUsage) {
  const CommandResult r = RunCommand(std::string(kTestPluginBin) + " -bogus");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(r.out.starts_with("pdk_test_plugin: unknown flag \"-bogus\"\n\nUsage: ")) << r.out;
}

TEST_F(PluginServer, FailsClearlyWhenThePrefixIsMissing) {
  const std::string prefix = dir_.file("missing");
  const CommandResult r = RunCommand(std::string(kTestPluginBin) + " -kong-prefix " + prefix);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out, "pdk_test_plugin: kong prefix " + prefix + " is not a directory\n");
}

TEST_F(PluginServer, ListensAtTheExecutableNameUnderThePrefixAndAnnouncesItsPid) {
  StartServer();
  EXPECT_EQ(socket_path_, dir_.path() + "/pdk_test_plugin.socket");
  Client client(socket_path_);
  ASSERT_TRUE(client.connected());
  Value first;
  ASSERT_TRUE(client.Receive(first, "the serverPid notification"));
  EXPECT_EQ(first, Value(Array{2, "serverPid", server_->pid()}));
}

TEST_F(PluginServer, ReplacesAStaleSocketFileAtStartup) {
  const std::string path = dir_.file("pdk_test_plugin.socket");
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  StartServer();
  ExpectServerStillServes();
}

TEST_F(PluginServer, RunsTheHelloAccessEvent) {
  StartServer(kHelloBin, "hello");
  ExpectHelloAccessEvent();
}

TEST_F(PluginServer, RunsTheHelloAccessEventSleepingBetweenMessagesWithoutBusyPolling) {
  StartServer(kHelloBin, "hello", {"-busy-poll-us", "0"});
  ExpectHelloAccessEvent();
}

void PluginServer::ExpectHelloAccessEvent() {
  auto kong = Connect();
  const Value started = StartInstance(*kong, 1, "hello", R"({"message": "hi"})");
  ASSERT_TRUE(started.is_array() && started.as_array().size() == 4) << to_debug_string(started);
  ASSERT_EQ(started.as_array()[2], Value{}) << to_debug_string(started);
  const Value& status = started.as_array()[3];
  EXPECT_EQ(*status.find("Id"), Value(1));
  EXPECT_EQ(*status.find("Name"), Value("hello"));
  EXPECT_EQ(*status.find("Config"), StrMap({{"message", "hi"}}));

  EXPECT_EQ(
      Call(*kong, 2, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
      Response(2, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
  EXPECT_EQ(Call(*kong, 3, "plugin.Step", {StrMap({{"EventId", 1}, {"Data", "example.com"}})}),
            Response(3, Value{},
                     EventData(1, CallData("kong.response.set_header",
                                           {"x-hello-from-cpp", "C++ says hi to example.com"}))));
  EXPECT_EQ(Call(*kong, 4, "plugin.Step", {StrMap({{"EventId", 1}, {"Data", Value{}}})}),
            Response(4, Value{}, EventData(1, "ret")));
}

TEST_F(PluginServer, TakesAStepOnAnotherConnectionThanItsEvent) {
  StartServer();
  auto first = Connect();
  StartInstance(*first, 1, kTestPluginName, R"({"__seq__": 3, "mode": "hello"})");
  EXPECT_EQ(
      Call(*first, 2, "plugin.HandleEvent", {StrMap({{"InstanceId", 3}, {"EventName", "access"}})}),
      Response(2, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
  auto second = Connect();
  EXPECT_EQ(
      Call(*second, 3, "plugin.Step", {StrMap({{"EventId", 1}, {"Data", "b.example"}})}),
      Response(3, Value{},
               EventData(1, CallData("kong.response.set_header", {"x-hello", "hi b.example"}))));
  auto third = Connect();
  EXPECT_EQ(Call(*third, 4, "plugin.Step", {StrMap({{"EventId", 1}})}),
            Response(4, Value{}, EventData(1, "ret")));
}

TEST_F(PluginServer, AnswersSeveralRequestsOfOneWriteInOrder) {
  StartServer();
  auto kong = Connect();
  std::string bytes;
  bytes += Encode(Request(
      10, "plugin.StartInstance",
      {StrMap({{"Name", kTestPluginName}, {"Config", R"({"__seq__": 4, "mode": "return"})"}})}));
  bytes += Encode(
      Request(11, "plugin.HandleEvent", {StrMap({{"InstanceId", 4}, {"EventName", "access"}})}));
  bytes += Encode(Request(12, "plugin.Nope", {}));
  bytes += Encode(
      Request(13, "plugin.HandleEvent", {StrMap({{"InstanceId", 4}, {"EventName", "log"}})}));
  ASSERT_TRUE(kong->SendBytes(bytes));
  Value r;
  ASSERT_TRUE(kong->Receive(r, "the response to StartInstance"));
  EXPECT_EQ(r.as_array()[1], Value(10));
  EXPECT_EQ(*r.as_array()[3].find("Id"), Value(4));
  ASSERT_TRUE(kong->Receive(r, "the response to the first HandleEvent"));
  EXPECT_EQ(r, Response(11, Value{}, EventData(1, "ret")));
  ASSERT_TRUE(kong->Receive(r, "the response to plugin.Nope"));
  EXPECT_EQ(r, Response(12, "unknown method plugin.Nope", Value{}));
  ASSERT_TRUE(kong->Receive(r, "the response to the second HandleEvent"));
  EXPECT_EQ(
      r, Response(13, Value{}, EventData(2, CallData("kong.log.info", {"logged by ", "return"}))));
}

TEST_F(PluginServer, RefusesGarbageClosesThatConnectionAndServesNewOnes) {
  StartServer();
  auto kong = Connect();
  ASSERT_TRUE(kong->SendBytes(test::Raw({0xc1})));
  ExpectRefusedAndClosed(*kong, "message at byte 0: byte 0: 0xc1 is not a MessagePack type");
  ExpectServerStillServes();
}

TEST_F(PluginServer, NamesTheStreamOffsetOfGarbageAfterGoodRequests) {
  StartServer();
  auto kong = Connect();
  const std::string good = Encode(Request(1, "plugin.GetInstanceStatus", {5}));
  ASSERT_TRUE(kong->SendBytes(good + Encode(Value(""))));
  Value r;
  ASSERT_TRUE(kong->Receive(r, "the response to GetInstanceStatus"));
  EXPECT_EQ(r, Response(1, "no plugin instance 5", Value{}));
  ExpectRefusedAndClosed(*kong, "message at byte " + std::to_string(good.size()) +
                                    ": expected a request [0, msgid, method, params], got \"\"");
}

TEST_F(PluginServer, RefusesValuesThatAreNoRequestAndServesNewConnections) {
  StartServer();
  const std::pair<Value, std::string> cases[] = {
      {Value(5), "5"},
      {StrMap({{"a", 1}}), R"({"a": 1})"},
      {Value(Array{0, 1, "plugin.Nope"}), R"([0, 1, "plugin.Nope"])"},
      {Value(Array{1, 1, Value{}, Value{}}), "[1, 1, nil, nil]"},
      {Value(Array{0, 1, 2, Array{}}), "[0, 1, 2, []]"},
  };
  for (const auto& [message, shown] : cases) {
    auto kong = Connect();
    ASSERT_TRUE(kong->Send(message));
    ExpectRefusedAndClosed(
        *kong, "message at byte 0: expected a request [0, msgid, method, params], got " + shown);
  }
  ExpectServerStillServes();
}

TEST_F(PluginServer, ForgetsATruncatedMessageWhenItsConnectionCloses) {
  StartServer();
  {
    auto kong = Connect();
    const std::string bytes = Encode(Request(1, "plugin.GetInstanceStatus", {5}));
    ASSERT_TRUE(kong->SendBytes(std::string_view(bytes).substr(0, bytes.size() - 1)));
    kong->ShutdownWrite();
    EXPECT_TRUE(kong->ReceiveClose("the server to close the connection"));
  }
  ExpectServerStillServes();
}

TEST_F(PluginServer, AnswersWrongParamsWithAnErrorAndKeepsTheConnection) {
  StartServer();
  auto kong = Connect();
  EXPECT_EQ(Call(*kong, 1, "plugin.StartInstance", {}),
            Response(1,
                     "plugin.StartInstance: expected [{Name: string, Config: JSON string}], got "
                     "no params",
                     Value{}));
  ASSERT_TRUE(kong->Send(Value(Array{0, 2, "plugin.StartInstance", StrMap({{"Name", "x"}})})));
  Value r;
  ASSERT_TRUE(kong->Receive(r, "the response to StartInstance with map params"));
  EXPECT_EQ(r, Response(2, "plugin.StartInstance: params must be an array, got map", Value{}));
  EXPECT_EQ(Call(*kong, 3, "plugin.GetInstanceStatus", {"x"}),
            Response(3, R"(plugin.GetInstanceStatus: expected [instance id], got ["x"])", Value{}));
  EXPECT_EQ(Call(*kong, 4, "plugin.HandleEvent", {StrMap({{"InstanceId", 1.5}})}),
            Response(4,
                     "plugin.HandleEvent: expected [{InstanceId: integer, EventName: string}], "
                     R"(got [{"InstanceId": 1.5}])",
                     Value{}));
  const Value good = StartInstance(*kong, 5, kTestPluginName, R"({"limit": 0})");
  EXPECT_EQ(good, Response(5,
                           "plugin.StartInstance: config.limit: expected integer between 1 "
                           "and 100, got 0",
                           Value{}));
  const Value started = StartInstance(*kong, 6, kTestPluginName, "{}");
  EXPECT_EQ(started.as_array()[2], Value{}) << to_debug_string(started);
}

TEST_F(PluginServer, AnswersUnknownMethodsAndIdsWithErrors) {
  StartServer();
  auto kong = Connect();
  EXPECT_EQ(Call(*kong, 1, "plugin.Nope", {}), Response(1, "unknown method plugin.Nope", Value{}));
  EXPECT_EQ(
      Call(*kong, 2, "plugin.HandleEvent", {StrMap({{"InstanceId", 77}, {"EventName", "access"}})}),
      Response(2, "no plugin instance 77", Value{}));
  EXPECT_EQ(Call(*kong, 3, "plugin.GetInstanceStatus", {78}),
            Response(3, "no plugin instance 78", Value{}));
  EXPECT_EQ(Call(*kong, 4, "plugin.Step", {StrMap({{"EventId", 99}, {"Data", 1}})}),
            Response(4, "plugin.Step: no running event 99", Value{}));
  EXPECT_EQ(Call(*kong, 5, "plugin.StepMultiMap", {StrMap({{"EventId", 98}})}),
            Response(5, "plugin.StepMultiMap: no running event 98", Value{}));
  ExpectServerStillServes();
}

TEST_F(PluginServer, RefusesADeclaredSizeBeyondTheLimitBeforeItsBytesArrive) {
  StartServer(kTestPluginBin, kTestPluginName, {"-max-message-bytes", "1024"});
  auto kong = Connect();
  // [0, 1, <str32 declaring 1 MB>: only the header is sent, and no more.
  ASSERT_TRUE(kong->SendBytes(test::Raw({0x94, 0x00, 0x01, 0xdb, 0x00, 0x10, 0x00, 0x00})));
  ExpectRefusedAndClosed(*kong,
                         "message at byte 0: byte 3: message larger than the 1024-byte limit");
  ExpectServerStillServes();
}

TEST_F(PluginServer, AcceptsMessagesUpToTheLimit) {
  StartServer(kTestPluginBin, kTestPluginName, {"-max-message-bytes", "1024"});
  auto kong = Connect();
  const std::string config = R"({"mode": ")" + std::string(900, 'm') + R"("})";
  const std::string first = Encode(
      Request(1, "plugin.StartInstance", {StrMap({{"Name", kTestPluginName}, {"Config", config}})}),
      protocol::StrForm::kong);
  ASSERT_LT(first.size(), 1024u);
  ASSERT_TRUE(kong->SendBytes(first));
  Value r;
  ASSERT_TRUE(kong->Receive(r, "the response to a 1000-byte StartInstance"));
  EXPECT_EQ(r.as_array()[2], Value{}) << to_debug_string(r);
  // [0, 2, "plugin.Nope", [<1100 bytes>]]: the string starts at byte 16.
  ASSERT_TRUE(kong->Send(Request(2, "plugin.Nope", {std::string(1100, 'x')})));
  ExpectRefusedAndClosed(*kong, "message at byte " + std::to_string(first.size()) +
                                    ": byte 16: message larger than the 1024-byte limit");
}

TEST_F(PluginServer, FailsOnlyTheEventOfAThrowingHandler) {
  StartServer();
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "hello"})");
  StartInstance(*kong, 2, kTestPluginName, R"({"__seq__": 2, "mode": "throw"})");
  EXPECT_EQ(
      Call(*kong, 3, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
      Response(3, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
  EXPECT_EQ(
      Call(*kong, 4, "plugin.HandleEvent", {StrMap({{"InstanceId", 2}, {"EventName", "access"}})}),
      Response(4, Value{}, EventData(2, CallData("kong.log.info", {"about to throw"}))));
  EXPECT_EQ(Call(*kong, 5, "plugin.Step", {StrMap({{"EventId", 2}})}),
            Response(5, "pdk_test_plugin access handler failed: boom", Value{}));
  EXPECT_EQ(Call(*kong, 6, "plugin.Step", {StrMap({{"EventId", 1}, {"Data", "h"}})}),
            Response(6, Value{},
                     EventData(1, CallData("kong.response.set_header", {"x-hello", "hi h"}))));
}

TEST_F(PluginServer, EndsTheEventAtExitWithTheBodyAsBin) {
  StartServer();
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 9, "mode": "exit"})");
  EXPECT_EQ(
      Call(*kong, 2, "plugin.HandleEvent", {StrMap({{"InstanceId", 9}, {"EventName", "access"}})}),
      Response(
          2, Value{},
          EventData(1, CallData("kong.response.exit",
                                {403, Bytes{"denied"}, StrMap({{"x-reason", Array{"test"}}})}))));
  EXPECT_EQ(Call(*kong, 3, "plugin.Step", {StrMap({{"EventId", 1}})}),
            Response(3, "plugin.Step: no running event 1", Value{}));
}

TEST_F(PluginServer, TakesAConnectionDroppedWithItsPidNoticeUnreadAsAQuietClose) {
  StartServer();
  // As a readiness probe, or Kong's pool, closes: the serverPid notification
  // arrived (peeked at, so left unread), and the close resets the connection.
  const int fd = ConnectUnix(socket_path_);
  ASSERT_GE(fd, 0);
  char byte = 0;
  ASSERT_EQ(::recv(fd, &byte, 1, MSG_PEEK), 1);
  ::close(fd);
  ExpectServerStillServes();
  EXPECT_EQ(server_->log().find("read failed"), std::string::npos) << server_->log();
}

TEST_F(PluginServer, SaysOncePerHandlerWhenOneHoldsTheThreadNamingPluginPhaseAndTime) {
  StartServer();
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "hold", "limit": 40})");
  for (std::int64_t event = 1; event <= 2; ++event) {
    EXPECT_EQ(Call(*kong, 10 * event, "plugin.HandleEvent",
                   {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
              Response(10 * event, Value{},
                       EventData(event, CallData("kong.request.get_header", {"host"}))));
  }
  const std::string log = server_->log();
  const std::string said = "pdk_test_plugin: the access handler held the server's thread for ";
  const auto at = log.find(said);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(said, at + 1), std::string::npos) << "said twice:\n" << log;
  const double ms = std::stod(log.substr(at + said.size()));
  EXPECT_GE(ms, 40.0) << log;
  EXPECT_NE(log.find("(more than 20 ms): every other request waited", at), std::string::npos)
      << log;
}

TEST_F(PluginServer, SaysNothingOfAHandlerWithinTheThresholdOrWithTheReportTurnedOff) {
  for (const bool off : {false, true}) {
    StartServer(kTestPluginBin, kTestPluginName,
                off ? std::vector<std::string>{"-stall-ms", "0"} : std::vector<std::string>{});
    auto kong = Connect();
    // Within the default 20 ms; with the report off, well beyond it.
    const std::string config = off ? R"({"__seq__": 1, "mode": "hold", "limit": 40})"
                                   : R"({"__seq__": 1, "mode": "hold", "limit": 1})";
    StartInstance(*kong, 1, kTestPluginName, config);
    EXPECT_EQ(Call(*kong, 2, "plugin.HandleEvent",
                   {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
              Response(2, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
    EXPECT_EQ(server_->log().find("held the server's thread"), std::string::npos) << server_->log();
  }
}

TEST_F(PluginServer, AHandlerWaitingInKongBlockingDoesNotDelayAConcurrentFastEvent) {
  StartServer();
  Gate gate(dir_.file("gate"));
  auto slow = Connect();
  auto fast = Connect();
  // Event 1 waits in kong.blocking for the gate, owing the answer to its start.
  ASSERT_NO_FATAL_FAILURE(StartEventBlockedAt(*slow, gate, 1, 10));
  StartInstance(*fast, 2, kTestPluginName, R"({"__seq__": 2, "mode": "hello"})");
  // Meanwhile event 2 runs from start to end.
  EXPECT_EQ(
      Call(*fast, 20, "plugin.HandleEvent", {StrMap({{"InstanceId", 2}, {"EventName", "access"}})}),
      Response(20, Value{}, EventData(2, CallData("kong.request.get_header", {"host"}))));
  EXPECT_EQ(
      Call(*fast, 21, "plugin.Step", {EventData(2, "example.com")}),
      Response(21, Value{},
               EventData(2, CallData("kong.response.set_header", {"x-hello", "hi example.com"}))));
  EXPECT_EQ(Call(*fast, 22, "plugin.Step", {EventData(2, Value{})}),
            Response(22, Value{}, EventData(2, "ret")));
  EXPECT_TRUE(slow->Quiet()) << "event 1 answered before its blocking work was done";

  gate.Open();
  Value answer;
  ASSERT_TRUE(slow->Receive(answer, "event 1's first call, after its blocking work"));
  EXPECT_EQ(answer,
            Response(10, Value{}, EventData(1, CallData("kong.request.get_header", {"host"}))));
  // The handler goes on as usual, stepped from another connection too.
  EXPECT_EQ(Call(*fast, 11, "plugin.Step", {EventData(1, "example.com")}),
            Response(11, Value{},
                     EventData(1, CallData("kong.response.set_header",
                                           {"x-blocked", "waited for example.com"}))));
  EXPECT_EQ(Call(*slow, 12, "plugin.Step", {EventData(1, Value{})}),
            Response(12, Value{}, EventData(1, "ret")));
}

TEST_F(PluginServer, WhatKongBlockingsWorkThrowsFailsItsEventLikeTheHandlersOwnThrow) {
  StartServer();
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "blocking-throws"})");
  StartInstance(*kong, 2, kTestPluginName, R"({"__seq__": 2, "mode": "blocking-pdk"})");
  EXPECT_EQ(
      Call(*kong, 10, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
      Response(10, "pdk_test_plugin access handler failed: the service is down", Value{}));
  EXPECT_EQ(
      Call(*kong, 11, "plugin.HandleEvent", {StrMap({{"InstanceId", 2}, {"EventName", "access"}})}),
      Response(11,
               "pdk_test_plugin access handler failed: kong.request.get_header: called "
               "inside kong.blocking's work, which runs off the event; make PDK calls "
               "before or after kong.blocking",
               Value{}));
  ExpectServerStillServes();
}

TEST_F(PluginServer, GoesOnServingWhenKongHangsUpOnAHandlerInKongBlocking) {
  StartServer();
  Gate gate(dir_.file("gate"));
  {
    auto kong = Connect();
    ASSERT_NO_FATAL_FAILURE(StartEventBlockedAt(*kong, gate, 1, 10));
    ExpectServerStillServes();
  }  // Kong hangs up, its answer owed
  ExpectServerStillServes();
  gate.Open();
  // The work done, its event is dropped: Kong cannot step it any more.
  auto kong = Connect();
  const Value waiting =
      Response(20, "plugin.Step: event 1 has not answered its last step yet", Value{});
  Value r = waiting;
  for (int tries = 0; r == waiting && tries < 1000; ++tries) {
    r = Call(*kong, 20, "plugin.Step", {EventData(1, "example.com")});
    if (r == waiting)
      std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(r, Response(20, "plugin.Step: no running event 1", Value{}));
}

TEST_F(PluginServer, StepsOnAnyConnectionReachTheirEventsWhileConstHandlersRunOnSeveralThreads) {
  // Every log event but the first (measured holding the loop's lock) runs
  // out of it, on three serving threads.
  StartServer(kTestPluginBin, kTestPluginName, {"-threads", "3", "-offload-us", "0"});
  constexpr int kConnections = 4;
  constexpr int kEvents = 32;
  std::vector<std::unique_ptr<Client>> kong;
  for (int c = 0; c < kConnections; ++c)
    kong.push_back(Connect());
  StartInstance(*kong[0], 1, kTestPluginName, R"({"__seq__": 1, "mode": "many"})");
  EXPECT_EQ(
      Call(*kong[0], 2, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "log"}})}),
      Response(2, Value{}, EventData(1, CallData("kong.log.info", {"logged by ", "many"}))));
  EXPECT_EQ(Call(*kong[0], 3, "plugin.Step", {EventData(1, Value{})}),
            Response(3, Value{}, EventData(1, "ret")));

  // All started at once, each on a connection, then each stepped on the next.
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(kong[i % kConnections]->Send(Request(
        100 + i, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "log"}})})));
  }
  std::vector<std::int64_t> event_ids(kEvents, -1);
  for (int i = 0; i < kEvents; ++i) {
    Value r;
    ASSERT_TRUE(
        kong[i % kConnections]->Receive(r, "the answer to HandleEvent " + std::to_string(i)));
    const Value* data = r.is_array() && r.as_array().size() == 4 ? &r.as_array()[3] : nullptr;
    const Value* id = data && data->is_map() ? data->find("EventId") : nullptr;
    ASSERT_TRUE(id && id->is_int()) << to_debug_string(r);
    event_ids[i] = id->as_int();
    EXPECT_EQ(r,
              Response(100 + i, Value{},
                       EventData(event_ids[i], CallData("kong.log.info", {"logged by ", "many"}))));
  }
  EXPECT_EQ(std::set<std::int64_t>(event_ids.begin(), event_ids.end()).size(),
            static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(kong[(i + 1) % kConnections]->Send(
        Request(200 + i, "plugin.Step", {EventData(event_ids[i], Value{})})));
  }
  for (int i = 0; i < kEvents; ++i) {
    Value r;
    ASSERT_TRUE(
        kong[(i + 1) % kConnections]->Receive(r, "the answer to Step " + std::to_string(i)));
    EXPECT_EQ(r, Response(200 + i, Value{}, EventData(event_ids[i], "ret")));
  }
  EXPECT_GT(ThreadCount(server_->pid()), 1) << "no other thread served the loop";
}

TEST_F(PluginServer, RunsANonConstHandlerOnOneThreadOnly) {
  StartServer(kTestPluginBin, kTestPluginName, {"-threads", "3", "-offload-us", "0"});
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "hold", "limit": 2})");
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(
        Call(*kong, 10 * i, "plugin.HandleEvent",
             {StrMap({{"InstanceId", 1}, {"EventName", "access"}})}),
        Response(10 * i, Value{}, EventData(i, CallData("kong.request.get_header", {"host"}))));
    EXPECT_EQ(Call(*kong, 10 * i + 1, "plugin.Step", {EventData(i, Value{})}),
              Response(10 * i + 1, Value{}, EventData(i, "ret")));
  }
  EXPECT_EQ(ThreadCount(server_->pid()), 1);
}

TEST_F(PluginServer, AConstHandlerHoldingOneThreadDoesNotHoldUpTheNextEvents) {
  StartServer(kTestPluginBin, kTestPluginName, {"-threads", "3", "-offload-us", "0"});
  Gate gate(dir_.file("gate"));
  auto held = Connect();
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "many"})");
  StartInstance(*held, 2, kTestPluginName,
                R"({"__seq__": 2, "mode": "log-gate:)" + gate.path() + R"("})");
  // The first log event is measured holding the loop's lock; those after run out of it.
  EXPECT_EQ(
      Call(*kong, 10, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "log"}})}),
      Response(10, Value{}, EventData(1, CallData("kong.log.info", {"logged by ", "many"}))));
  EXPECT_EQ(Call(*kong, 11, "plugin.Step", {EventData(1, Value{})}),
            Response(11, Value{}, EventData(1, "ret")));
  ASSERT_TRUE(held->Send(
      Request(20, "plugin.HandleEvent", {StrMap({{"InstanceId", 2}, {"EventName", "log"}})})));
  ASSERT_TRUE(gate.AwaitWork());  // event 2 holds its thread
  for (std::int64_t event = 3; event <= 6; ++event) {
    EXPECT_EQ(Call(*kong, 10 * event, "plugin.HandleEvent",
                   {StrMap({{"InstanceId", 1}, {"EventName", "log"}})}),
              Response(10 * event, Value{},
                       EventData(event, CallData("kong.log.info", {"logged by ", "many"}))));
    EXPECT_EQ(Call(*kong, 10 * event + 1, "plugin.Step", {EventData(event, Value{})}),
              Response(10 * event + 1, Value{}, EventData(event, "ret")));
  }
  EXPECT_TRUE(held->Quiet());
  gate.Open();
  Value r;
  ASSERT_TRUE(held->Receive(r, "event 2's call, once the gate opened"));
  EXPECT_EQ(
      r,
      Response(20, Value{},
               EventData(2, CallData("kong.log.info", {"logged by ", "log-gate:" + gate.path()}))));
}

TEST_F(PluginServer, AddsServingThreadsWhileConstHandlersWaitInThemWithoutKongBlocking) {
  // Two serving threads to start with; handlers that wait leave their CPUs free.
  StartServer(kTestPluginBin, kTestPluginName, {"-threads", "2", "-offload-us", "0"});
  auto kong = Connect();
  StartInstance(*kong, 1, kTestPluginName, R"({"__seq__": 1, "mode": "many"})");
  EXPECT_EQ(
      Call(*kong, 10, "plugin.HandleEvent", {StrMap({{"InstanceId", 1}, {"EventName", "log"}})}),
      Response(10, Value{}, EventData(1, CallData("kong.log.info", {"logged by ", "many"}))));
  EXPECT_EQ(Call(*kong, 11, "plugin.Step", {EventData(1, Value{})}),
            Response(11, Value{}, EventData(1, "ret")));
  // Three log handlers, each waiting at its own gate on a thread, all at once.
  std::vector<std::unique_ptr<Gate>> gates;
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    gates.push_back(std::make_unique<Gate>(dir_.file("gate" + std::to_string(i))));
    held.push_back(Connect());
    StartInstance(*held.back(), 2 + i, kTestPluginName,
                  R"({"__seq__": )" + std::to_string(2 + i) + R"(, "mode": "log-gate:)" +
                      gates.back()->path() + R"("})");
    ASSERT_TRUE(held.back()->Send(Request(
        20 + i, "plugin.HandleEvent", {StrMap({{"InstanceId", 2 + i}, {"EventName", "log"}})})));
    ASSERT_TRUE(gates.back()->AwaitWork()) << "handler " << i << " never reached its gate";
    std::this_thread::sleep_for(5ms);  // long enough to be seen waiting, not computing
  }
  EXPECT_GE(ThreadCount(server_->pid()), 4)
      << "a serving thread per waiting handler, and the monitor";
  for (int i = 0; i < 3; ++i) {
    gates[i]->Open();
    Value r;
    ASSERT_TRUE(held[i]->Receive(r, "handler " + std::to_string(i) + "'s call"));
    EXPECT_EQ(r,
              Response(20 + i, Value{},
                       EventData(2 + i, CallData("kong.log.info",
                                                 {"logged by ", "log-gate:" + gates[i]->path()}))));
  }
}

TEST_F(PluginServer, OnSigtermRefusesNewConnectionsAndFinishesTheEventsInFlight) {
  StartServer();
  auto kong = Connect();
  StartHelloEvent(*kong);
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  // The socket goes first: Kong's next connection is refused.
  for (int i = 0; i < 1000 && Exists(socket_path_); ++i)
    std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(Exists(socket_path_));
  EXPECT_LT(ConnectUnix(socket_path_), 0);
  // The event in flight runs to its end on the connection it has.
  EXPECT_EQ(
      Call(*kong, 3, "plugin.Step", {EventData(1, "example.com")}),
      Response(3, Value{},
               EventData(1, CallData("kong.response.set_header", {"x-hello", "hi example.com"}))));
  EXPECT_EQ(Call(*kong, 4, "plugin.Step", {EventData(1, Value{})}),
            Response(4, Value{}, EventData(1, "ret")));
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit());
  EXPECT_NE(server_->log().find("stopping: new connections are refused; events in flight: 1"),
            std::string::npos)
      << server_->log();
}

TEST_F(PluginServer, ExitsWhenTheGracePeriodEndsWithAnEventStuckInKongBlocking) {
  StartServer(kTestPluginBin, kTestPluginName, {"-grace-ms", "100"});
  Gate gate(dir_.file("gate"));
  auto kong = Connect();
  ASSERT_NO_FATAL_FAILURE(StartEventBlockedAt(*kong, gate, 1, 2));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit());
  EXPECT_NE(server_->log().find("pdk_test_plugin: exiting with events unfinished: 1"),
            std::string::npos)
      << server_->log();
  EXPECT_FALSE(Exists(socket_path_));
}

TEST_F(PluginServer, ASecondSigtermEndsTheEventsInFlightAtOnce) {
  // A grace period no test outlasts: only the second signal can end it.
  StartServer(kTestPluginBin, kTestPluginName, {"-grace-ms", "3600000"});
  auto kong = Connect();
  StartHelloEvent(*kong);
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  for (int i = 0; i < 1000 && Exists(socket_path_); ++i)
    std::this_thread::sleep_for(1ms);  // the first is taken
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit());
  EXPECT_NE(server_->log().find("exiting with events unfinished: 1"), std::string::npos)
      << server_->log();
}

TEST_F(PluginServer, StopsWaitingForEventsNoConnectionIsLeftToFinish) {
  // A grace period no test outlasts: only the lack of connections ends it.
  StartServer(kTestPluginBin, kTestPluginName, {"-grace-ms", "3600000"});
  {
    auto kong = Connect();
    StartHelloEvent(*kong);
  }  // Kong closes its connections, the event left waiting
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit());
}

TEST_F(PluginServer, ExitsCleanlyOnSigtermAndRemovesItsSocket) {
  StartServer();
  ExpectServerStillServes();  // the server is past start-up, handling signals
  ASSERT_TRUE(Exists(socket_path_));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  int status = 0;
  ASSERT_TRUE(server_->WaitForExit(status));
  EXPECT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(Exists(socket_path_)) << socket_path_ << " left behind";
}

}  // namespace
}  // namespace kong::test
