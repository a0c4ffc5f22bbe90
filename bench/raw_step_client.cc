#include "raw_step_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "kong/protocol/msgpack_codec.h"
#include "kong/protocol/msgpack_stream.h"
#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"

#include "client/socket_connection.h"
#include "plugin_fixture.h"

namespace kong::bench {

using protocol::Array;
using protocol::Map;
using protocol::Value;

RawStepClient::~RawStepClient() = default;

Status RawStepClient::open(const std::string& socket_path, std::int64_t event_id) {
  auto socket = mock::SocketConnection::open(socket_path, std::chrono::seconds(10));
  if (!socket)
    return socket.error();
  // Its reads time out: a server that stops answering fails the run.
  socket_ = std::move(socket).value();
  fd_ = socket_->native_handle();
  Map step;
  step.emplace_back(Value("EventId"), Value(event_id));
  step.emplace_back(Value("Data"), Value("example.com"));
  // The msgid stays 1: the server echoes it and keeps no state by it.
  protocol::rpc::encode(
      protocol::rpc::request(1, protocol::rpc::Command::step, Array{Value(std::move(step))}),
      request_, protocol::StrForm::kong);
  if (!send())
    return Error{"raw client: writing the first Step failed"};

  protocol::MsgpackStream in;
  for (;;) {
    const std::size_t at = in.offset();
    Value message;
    std::string error;
    const auto status = in.next(message, error);
    if (status == protocol::MsgpackStream::Status::error)
      return Error{"raw client: " + error};
    if (status == protocol::MsgpackStream::Status::value) {
      const std::string shown = protocol::to_debug_string(message);
      auto parsed = protocol::rpc::parse_message(std::move(message));
      if (parsed && std::holds_alternative<protocol::rpc::Notification>(*parsed))
        continue;  // [2, "serverPid", pid]
      const auto* answer = parsed ? std::get_if<protocol::rpc::Response>(&*parsed) : nullptr;
      if (!answer || !answer->error.is_nil() || !event_data(answer->result).is_map())
        return Error{"raw client: expected the next PDK call, got " + shown};
      answer_.resize(in.offset() - at);
      return Ok{};
    }
    auto space = in.prepare();
    const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
    if (n <= 0)
      return Error{"raw client: reading the first answer failed"};
    in.commit(static_cast<std::size_t>(n));
  }
}

bool RawStepClient::round_trip() {
  if (!send())
    return false;
  for (std::size_t got = 0; got < answer_.size();) {
    const ssize_t n = ::read(fd_, answer_.data() + got, answer_.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    got += static_cast<std::size_t>(n);
  }
  // 0x94 0x01: a four-element array starting with 1, an answer.
  return answer_[0] == '\x94' && answer_[1] == '\x01';
}

bool RawStepClient::send() {
  return ::send(fd_, request_.data(), request_.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(request_.size());
}

}  // namespace kong::bench
