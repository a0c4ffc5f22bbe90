// One malformed input on a connection of its own, and what the plugin
// server did with it, held to what Kong needs of a server.
#include "fuzz/wire_exchange.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/msgpack_stream.h"

#include "client/socket_connection.h"

namespace kong::mock {
namespace {

using Clock = std::chrono::steady_clock;
using protocol::Value;

// More than any answer to one input: a server still sending then answers
// without end, which is a finding of its own.
constexpr std::size_t kMaxAnswerBytes = 64u << 20;

/// The server's side of one connection, read and written with deadlines.
class RawConnection {
 public:
  explicit RawConnection(int fd) : fd_(fd) {}
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Writes `bytes`; false when the server closed first (which is its right).
  bool write(std::string_view bytes, Clock::time_point deadline, WireExchange& e) {
    while (!bytes.empty()) {
      if (!wait(POLLOUT, deadline)) {
        e.hang = fmt::format("took none of the last {} bytes", bytes.size());
        return false;
      }
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n < 0) {
        e.closed = true;
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Receives what is there, waiting until `deadline` for something; false
  /// at the deadline or the end.
  bool receive(Clock::time_point deadline, WireExchange& e) {
    if (e.closed || !wait(POLLIN, deadline))
      return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return true;
    if (n <= 0) {
      e.closed = true;
      return false;
    }
    e.received.append(buf, static_cast<std::size_t>(n));
    return e.received.size() < kMaxAnswerBytes;
  }

  void close_writing() { ::shutdown(fd_, SHUT_WR); }

 private:
  bool wait(short events, Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{fd_, events, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready > 0)
        return true;
      if (ready < 0 && errno != EINTR)
        return false;
    }
  }

  int fd_;
};

template <class Stream>
void feed(Stream& stream, std::string_view bytes) {
  if (bytes.empty())
    return;  // an empty view's data() may be null, which memcpy must not get
  auto space = stream.prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  stream.commit(bytes.size());
}

// The answer Kong would never give to the first PDK call of an event the
// input started; empty when the server answered otherwise (a phase it does
// not handle, say) or not at all.
std::string step_for(Protocol protocol, const WireInput& input, WireExchange& e,
                     RawConnection& connection, Clock::time_point deadline) {
  while (connection.receive(deadline, e)) {
    const Received r = take_apart(protocol, e.received);
    if (protocol == Protocol::protobuf) {
      // The method's name and its argument: then Kong answers.
      if (r.frames >= 2)
        return *input.step_frame;
      continue;
    }
    for (const auto& m : r.messages) {
      if (!m || !std::holds_alternative<protocol::rpc::Response>(*m))
        continue;
      const Value& result = std::get<protocol::rpc::Response>(*m).result;
      const Value* event = result.is_map() ? result.find("EventId") : nullptr;
      if (!event || !event->is_int())
        return "";
      protocol::Map step;
      step.emplace_back(Value("EventId"), *event);
      step.emplace_back(Value("Data"), *input.step_data);
      std::string bytes;
      protocol::rpc::encode(protocol::rpc::request(1 << 20, protocol::rpc::Command::step,
                                                   protocol::Array{Value(std::move(step))}),
                            bytes, protocol::StrForm::kong);
      return bytes;
    }
  }
  return "";
}

// Reads what the server still sends, up to its close.
void drain(RawConnection& connection, WireExchange& e, std::chrono::milliseconds bound) {
  if (!e.hang.empty())
    return;
  const auto deadline = Clock::now() + bound;
  while (connection.receive(deadline, e)) {
  }
  if (!e.closed && e.received.size() < kMaxAnswerBytes)
    e.hang = "kept the connection open after mock-kong closed its side";
  else if (!e.closed)
    e.hang = fmt::format("sent more than {} MiB in answer", kMaxAnswerBytes >> 20);
}

}  // namespace

std::size_t Received::answers() const {
  std::size_t n = frames;
  for (const auto& m : messages)
    n += m && std::holds_alternative<protocol::rpc::Response>(*m) ? 1 : 0;
  return n;
}

Received take_apart(Protocol protocol, std::string_view bytes) {
  Received r;
  std::string error;
  if (protocol == Protocol::protobuf) {
    protocol::FrameStream frames;
    feed(frames, bytes);
    std::string_view frame;
    for (;;) {
      const auto status = frames.next(frame, error);
      if (status != protocol::FrameStream::Status::frame) {
        r.error = status == protocol::FrameStream::Status::error ? error : "";
        r.partial = frames.buffered();
        return r;
      }
      ++r.frames;
    }
  }
  protocol::MsgpackStream values;
  feed(values, bytes);
  for (;;) {
    Value value;
    const auto status = values.next(value, error);
    if (status != protocol::MsgpackStream::Status::value) {
      r.error = status == protocol::MsgpackStream::Status::error ? error : "";
      r.partial = values.buffered();
      return r;
    }
    r.messages.push_back(protocol::rpc::parse_message(std::move(value)));
  }
}

std::string check_answer(Protocol protocol, const Received& r) {
  const bool msgpack = protocol == Protocol::msgpack;
  if (!r.error.empty()) {
    return fmt::format("an answer that is no {}: {}", msgpack ? "MessagePack" : "ProtoBuf:1 frame",
                       r.error);
  }
  for (const auto& m : r.messages) {
    if (!m)
      return "an answer of the wrong shape: " + m.error().message;
    if (std::holds_alternative<protocol::rpc::Request>(*m))
      return "a request, where Kong waits for an answer";
  }
  if (r.partial > 0) {
    return fmt::format("{} cut short by the close ({} bytes of it came)",
                       msgpack ? "an answer" : "a frame", r.partial);
  }
  return "";
}

WireExchange exchange_input(const std::string& socket, Protocol protocol, const WireInput& input,
                            std::chrono::milliseconds bound) {
  WireExchange e;
  const int fd = connect_unix(socket);
  if (fd < 0) {
    e.closed = true;  // gone: the case after it names how
    return e;
  }
  RawConnection connection(fd);
  auto deadline = Clock::now() + bound;
  if (!connection.write(input.bytes, deadline, e) || !e.hang.empty()) {
    drain(connection, e, bound);
    return e;
  }
  // It owes an answer or a close without more bytes, to a whole message.
  bool owed = input.complete;
  if (input.step_data || input.step_frame) {
    const std::string step = step_for(protocol, input, e, connection, deadline);
    if (!step.empty()) {
      if (!connection.write(step, Clock::now() + bound, e)) {
        drain(connection, e, bound);
        return e;
      }
    } else if (take_apart(protocol, e.received).answers() > 0 || e.closed) {
      owed = false;  // answered: no event to step into
    }
  }
  if (owed) {
    const std::size_t before = take_apart(protocol, e.received).answers();
    const auto until = Clock::now() + bound;
    while (take_apart(protocol, e.received).answers() == before && connection.receive(until, e)) {
    }
    if (!e.closed && take_apart(protocol, e.received).answers() == before) {
      e.hang = "neither answered nor closed the connection";
      return e;
    }
  }
  connection.close_writing();
  drain(connection, e, bound);
  return e;
}

}  // namespace kong::mock
