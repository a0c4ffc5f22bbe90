// Kong's side of ProtoBuf:1 against a scripted plugin server: the exact
// bytes Kong sends, the keep-alive pool, and how each way an event can go
// wrong is reported.
#include "client/protobuf_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/protobuf_codec.h"

#include "support/test_support.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;
using ::testing::HasSubstr;

// One accepted connection of the scripted server: blocking frame reads and
// writes, and every byte Kong's side wrote to it.
class Peer {
 public:
  explicit Peer(int fd) : fd_(fd) {}
  ~Peer() { close(); }

  // The next frame's payload; empty with `eof` set when the client is gone.
  std::string read() {
    std::string_view frame;
    std::string error;
    while (in_.next(frame, error) != protocol::FrameStream::Status::frame) {
      auto space = in_.prepare(4096);
      const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
      if (n <= 0) {
        eof = true;
        return {};
      }
      received.append(space.data(), static_cast<std::size_t>(n));
      in_.commit(static_cast<std::size_t>(n));
    }
    return std::string(frame);
  }
  void write(std::string_view payload) {
    std::string out;
    protocol::append_frame(out, payload);
    ASSERT_EQ(::send(fd_, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
  }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

  std::string received;
  bool eof = false;

 private:
  int fd_;
  protocol::FrameStream in_;
};

// A plugin server that runs one script per connection it accepts, in order.
class ScriptedFrameServer {
 public:
  using Script = std::function<void(Peer&)>;

  ScriptedFrameServer(const std::string& path, std::vector<Script> scripts)
      : scripts_(std::move(scripts)) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 8), 0);
    thread_ = std::thread([this] {
      for (auto& script : scripts_) {
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0)
          return;
        Peer peer(fd);
        script(peer);
        std::lock_guard lock(mutex_);
        received_.push_back(peer.received);
      }
    });
  }
  ~ScriptedFrameServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable())
      thread_.join();
    ::close(listen_fd_);
  }
  // Waits until every script has run, then gives the bytes each connection received.
  std::vector<std::string> finish() {
    thread_.join();
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::vector<Script> scripts_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> received_;
};

std::string frame(std::string_view payload) {
  std::string out;
  protocol::append_frame(out, payload);
  return out;
}

// Answers kong.request.get_header with "example.com" and records the call.
struct Kong {
  std::vector<std::pair<std::string, Array>> calls;
  CallOutcome answer = {CallOutcome::Kind::answer, Value("example.com"), {}};
  CallHandler handler() {
    return [this](std::string_view name, const protocol::MethodInfo*, Array args) {
      calls.emplace_back(std::string(name), std::move(args));
      return answer;
    };
  }
};

class ProtobufClientTest : public ::testing::Test {
 protected:
  ProtobufClient Client() {
    return ProtobufClient({.socket_path = socket_, .timeout = std::chrono::seconds(10)});
  }
  test::ScratchDir dir_;
  std::string socket_ = dir_.file("plugin.socket");
};

// RpcCall{sequence: 1, cmd_start_instance (33): {name (1): "hello", config (2): "{}"}}
const std::string kStartInstance("\x08\x01\x8a\x02\x0b\x0a\x05hello\x12\x02{}", 16);
// RpcReturn{sequence: 1, instance_status (33): {instance_id (2): 1}}
const std::string kInstanceStatus("\x08\x01\x8a\x02\x02\x10\x01", 7);
// RpcCall{sequence: 2, cmd_handle_event (36): {instance_id (1): 1, event_name (2): "access"}}
const std::string kHandleAccess(
    "\x08\x02\xa2\x02\x0a\x08\x01\x12\x06"
    "access",
    15);
// String{v (1): "host"}, String{v: "example.com"}
const std::string kHost("\x0a\x04host", 6);
const std::string kExampleCom(
    "\x0a\x0b"
    "example.com",
    13);
// RpcReturn{sequence: 2}
const std::string kReturn2("\x08\x02", 2);

TEST_F(ProtobufClientTest, SendsKongsExactFramesForAnInstanceAndAnEventWithOneCall) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write(kInstanceStatus);
                               p.read();
                               p.write("kong.request.get_header");
                               p.write(kHost);
                               p.read();
                               p.write("");
                               p.write(kReturn2);
                               p.read();  // until the client hangs up
                             }});
  Kong kong;
  {
    auto client = Client();
    auto id = client.start_instance("hello", "{}");
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, 1);
    EventEnd end = client.run_event(1, Phase::access, kong.handler());
    EXPECT_EQ(end.kind, EventEnd::Kind::returned) << end.error;
    EXPECT_EQ(end.calls, 1u);
  }
  ASSERT_EQ(kong.calls.size(), 1u);
  EXPECT_EQ(kong.calls[0].first, "kong.request.get_header");
  EXPECT_EQ(kong.calls[0].second, Array{Value("host")});
  const auto received = server.finish();
  ASSERT_EQ(received.size(), 1u) << "one keep-alive connection for both commands";
  EXPECT_EQ(received[0], frame(kStartInstance) + frame(kHandleAccess) + frame(kExampleCom));
}

TEST_F(ProtobufClientTest, ReusesItsConnectionForEventAfterEvent) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               for (int seq = 1; seq <= 3; ++seq) {
                                 p.read();
                                 p.write("");
                                 p.write(std::string("\x08", 1) + static_cast<char>(seq));
                               }
                               p.read();
                             }});
  Kong kong;
  auto client = Client();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(client.run_event(1, Phase::access, kong.handler()).kind, EventEnd::Kind::returned);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ProtobufClientTest, AWrongSequenceFailsTheEventNamingBoth) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write("");
                               p.write(std::string("\x08\x09", 2));
                               p.read();
                             }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(1, Phase::access, kong.handler());
  EXPECT_EQ(end.kind, EventEnd::Kind::failed);
  EXPECT_THAT(end.error, HasSubstr("access: the RpcReturn has sequence 9, expected 1"));
}

TEST_F(ProtobufClientTest, AConnectionClosedBeforeAnyFrameIsALostInstanceAsKongSeesIt) {
  // The Go PDK closes the connection for an instance it does not know.
  ScriptedFrameServer server(socket_, {[](Peer& p) { p.read(); }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(7, Phase::access, kong.handler());
  EXPECT_EQ(end.kind, EventEnd::Kind::lost_instance);
  EXPECT_EQ(end.error, "") << "nothing went wrong: Kong restarts the instance";
}

TEST_F(ProtobufClientTest, AConnectionClosedMidEventIsReportedWithTheCallsMadeSoFar) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write("kong.request.get_header");
                               p.write(kHost);
                               p.read();
                               p.close();
                             }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(1, Phase::access, kong.handler());
  EXPECT_EQ(end.kind, EventEnd::Kind::lost_instance);
  EXPECT_THAT(end.error, HasSubstr("access: expected a method name after 1 PDK call(s): the plugin "
                                   "server closed the connection"));
}

TEST_F(ProtobufClientTest, AnUnknownMethodNameFailsTheEventWithKongsText) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write("kong.request.get_nothing");
                               p.write("");
                               p.read();
                             }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(1, Phase::access, kong.handler());
  EXPECT_EQ(end.kind, EventEnd::Kind::failed);
  EXPECT_EQ(end.error, "pluginserver error: method \"kong.request.get_nothing\" not found");
  EXPECT_TRUE(kong.calls.empty());
}

TEST_F(ProtobufClientTest, AFunctionWithoutAnRpcIsAnUnknownMethodToKong) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write("kong.cluster.get_id");
                               p.write("");
                               p.read();
                             }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(1, Phase::access, kong.handler());
  EXPECT_EQ(end.error, "pluginserver error: method \"kong.cluster.get_id\" not found");
}

TEST_F(ProtobufClientTest, AnUndecodableArgumentNamesTheCallAndItsBytes) {
  ScriptedFrameServer server(socket_, {[](Peer& p) {
                               p.read();
                               p.write("kong.request.get_header");
                               p.write(std::string("\x0a\x09h", 3));
                               p.read();
                             }});
  Kong kong;
  auto client = Client();
  EventEnd end = client.run_event(1, Phase::access, kong.handler());
  EXPECT_EQ(end.kind, EventEnd::Kind::failed);
  EXPECT_THAT(end.error,
              HasSubstr("access: call 1 (kong.request.get_header): undecodable argument: "
                        "3 bytes are not a kong_plugin_protocol.String message: "
                        "b\"\\x0a\\x09h\""));
}

TEST_F(ProtobufClientTest, AnExitEndsTheEventAndItsConnectionIsNotReused) {
  // ExitArgs{status (1): 403}
  const std::string exit_args("\x08\x93\x03", 3);
  ScriptedFrameServer server(socket_, {[&](Peer& p) {
                                         p.read();
                                         p.write("kong.response.exit");
                                         p.write(exit_args);
                                         p.close();
                                       },
                                       [](Peer& p) {
                                         p.read();
                                         p.write("");
                                         p.write(std::string("\x08\x02", 2));
                                         p.read();
                                       }});
  Kong kong;
  kong.answer = {CallOutcome::Kind::ended, {}, {}};
  auto client = Client();
  EXPECT_EQ(client.run_event(1, Phase::access, kong.handler()).kind, EventEnd::Kind::exited);
  ASSERT_EQ(kong.calls.size(), 1u);
  EXPECT_EQ(kong.calls[0].second, (Array{Value(403), Value(Bytes{}), Value{}}));
  kong.answer = {};
  EXPECT_EQ(client.run_event(1, Phase::access, kong.handler()).kind, EventEnd::Kind::returned);
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ProtobufClientTest, MultimapsGoBackAsKongsLuaTablesWithoutMsgpacksFix) {
  std::string answer;
  ScriptedFrameServer server(socket_, {[&](Peer& p) {
                               p.read();
                               p.write("kong.request.get_query");
                               p.write(std::string("\x08\x64", 2));  // Int{v: 100}
                               answer = p.read();
                               p.write("");
                               p.write(std::string("\x08\x01", 2));
                               p.read();
                             }});
  Kong kong;
  // The emulation's answer for ?a=1&a=2&b=x&debug: Kong's Lua table.
  Map lua;
  lua.emplace_back(Value("a"), Value(Array{Value("1"), Value("2")}));
  lua.emplace_back(Value("b"), Value("x"));
  lua.emplace_back(Value("debug"), Value(true));
  kong.answer = {CallOutcome::Kind::answer, Value(lua), {}};
  {
    auto client = Client();
    EXPECT_EQ(client.run_event(1, Phase::access, kong.handler()).kind, EventEnd::Kind::returned);
  }
  const auto& get_query = protocol::info(protocol::MethodId::request_get_query);
  EXPECT_EQ(protocol::protobuf::decode_result(get_query, answer).value(), Value(std::move(lua)));
}

TEST_F(ProtobufClientTest, AServerThatTricklesBytesStillTimesOutAtTheDeadline) {
  // One byte of a frame every 20 ms, for up to 4 s: each read returns in time,
  // the whole answer never does.
  ScriptedFrameServer server(socket_, {[](Peer& peer) {
                               peer.read();
                               const std::string answer = frame(std::string(196, 'x'));
                               for (int i = 0; i < 200; ++i) {
                                 if (::send(peer.fd(), answer.data() + i, 1, MSG_NOSIGNAL) != 1)
                                   return;
                                 std::this_thread::sleep_for(std::chrono::milliseconds(20));
                               }
                             }});
  ProtobufClient client({.socket_path = socket_, .timeout = std::chrono::milliseconds(300)});
  auto id = client.start_instance("hello", "{}");
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.error().message, HasSubstr("cmd_start_instance: no whole answer within 300 ms: "));
  EXPECT_EQ(client.last_fault(), ConnectionFault::timed_out);
}

}  // namespace
}  // namespace kong::mock
