// A ProtoBuf:1 connection in process, over a socket pair, to watch what
// happens to an event's handler and stack.
#include "server/protobuf_connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kong/protocol/frame_stream.h"

#include "pdk/server/test_plugin.h"
#include "pdk/test_values.h"
#include "proto/kong_plugin_protocol.pb.h"
#include "server/event_driver.h"

namespace kong::test {
namespace {

namespace pb = kong_plugin_protocol;

class ProtobufConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0);
    connection_ = std::make_unique<server::ProtobufConnection>(fds_[0], loop_, context_);
  }

  void TearDown() override {
    connection_.reset();
    if (fds_[1] >= 0)
      ::close(fds_[1]);
  }

  /// Kong's side writes `calls`, one frame each; the connection reads them.
  void Send(const std::vector<pb::RpcCall>& calls) {
    std::string bytes;
    for (const auto& call : calls)
      protocol::append_frame(bytes, call.SerializeAsString());
    ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    connection_->on_ready(EPOLLIN);
  }

  /// The frames the connection has written so far (it writes at once).
  std::vector<std::string> Written() {
    protocol::FrameStream in;
    auto space = in.prepare(1 << 16);
    const ssize_t n = ::read(fds_[1], space.data(), space.size());
    in.commit(n > 0 ? static_cast<std::size_t>(n) : 0);
    std::vector<std::string> frames;
    std::string_view frame;
    std::string error;
    while (in.next(frame, error) == protocol::FrameStream::Status::frame)
      frames.emplace_back(frame);
    return frames;
  }

  PluginType type_ = plugin_type<TestPlugin>("1.2.3", 7);
  server::EventLoop loop_;
  server::StackPool stacks_{ServerOptions{}.handler_stack_bytes};
  server::Instances instances_{"test-plugin", type_};
  server::BlockingPool blocking_{1, std::chrono::seconds(1)};
  server::EventDriver driver_{loop_, blocking_, stacks_};
  server::ProtobufContext context_{instances_, driver_, 0, 1u << 20};
  int fds_[2] = {-1, -1};
  std::unique_ptr<server::ProtobufConnection> connection_;
};

pb::RpcCall Start(const std::string& mode) {
  pb::RpcCall call;
  call.set_sequence(1);
  call.mutable_cmd_start_instance()->set_name("test-plugin");
  call.mutable_cmd_start_instance()->set_config(R"({"__seq__": 1, "mode": ")" + mode + R"("})");
  return call;
}

pb::RpcCall StartHello() {
  return Start("hello");
}

pb::RpcCall HandleAccess() {
  pb::RpcCall call;
  call.set_sequence(2);
  call.mutable_cmd_handle_event()->set_instance_id(1);
  call.mutable_cmd_handle_event()->set_event_name("access");
  return call;
}

TEST_F(ProtobufConnection, UnwindsTheHandlerAndReturnsItsStackWhenKongClosesMidEvent) {
  Send({StartHello(), HandleAccess()});
  const std::vector<std::string> frames = Written();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[1], "kong.request.get_header");
  EXPECT_EQ(stacks_.idle(), 0u);

  const int unwound = g_unwound_handlers;
  ::close(fds_[1]);
  fds_[1] = -1;
  connection_->on_ready(EPOLLIN | EPOLLHUP);
  EXPECT_TRUE(connection_->closed());
  connection_.reset();
  EXPECT_EQ(g_unwound_handlers, unwound + 1);
  EXPECT_EQ(stacks_.idle(), 1u);
}

TEST_F(ProtobufConnection, ReturnsTheStackWhenTheHandlerReturns) {
  Send({StartHello(), HandleAccess()});
  ASSERT_EQ(Written().size(), 3u);
  // nil for the host header, then Empty for set_header.
  for (int answer = 0; answer < 2; ++answer) {
    ASSERT_EQ(::write(fds_[1], "\0\0\0\0", 4), 4);
    connection_->on_ready(EPOLLIN);
  }
  const std::vector<std::string> frames = Written();
  ASSERT_EQ(frames.size(), 4u);  // set_header, its KV, the empty frame, the RpcReturn
  EXPECT_EQ(frames[0], "kong.response.set_header");
  EXPECT_EQ(frames[2], "");
  EXPECT_FALSE(connection_->closed());
  EXPECT_EQ(stacks_.idle(), 1u);
}

TEST_F(ProtobufConnection, ABodyKongBufferedToAFileIsReadFromTheFileItNames) {
  char path[] = "/tmp/kong-body-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "from the file", 13), 13);
  ::close(fd);
  Send({Start("raw-body"), HandleAccess()});
  std::vector<std::string> frames = Written();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[1], "kong.request.get_raw_body");

  pb::RawBodyResult body;
  body.set_body_filepath(path);
  std::string answer;
  protocol::append_frame(answer, body.SerializeAsString());
  ASSERT_EQ(::write(fds_[1], answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
  connection_->on_ready(EPOLLIN);
  ::unlink(path);
  frames = Written();
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[0], "kong.response.set_header");
  pb::KV header;
  ASSERT_TRUE(header.ParseFromString(frames[1]));
  EXPECT_EQ(header.k(), "x-body");
  EXPECT_EQ(header.v().string_value(), "from the file");
}

}  // namespace
}  // namespace kong::test
