#include "client/msgpack_client.h"

#include <fmt/format.h>

namespace kong::mock {

using protocol::Array;
using protocol::Value;

namespace {

// How long a refusal may take to arrive once the server stopped reading.
constexpr auto kRefusalWait = std::chrono::milliseconds(200);

}  // namespace

MsgpackClient::MsgpackClient(Options options) : options_(std::move(options)) {
  pool_.resize(std::max<std::size_t>(1, options_.pool_size));
}

MsgpackClient::~MsgpackClient() = default;

void MsgpackClient::adopt(std::unique_ptr<SocketConnection> socket) {
  auto& slot = pool_[next_ % pool_.size()];
  slot = std::make_unique<Connection>();
  slot->socket = std::move(socket);
}

Result<MsgpackClient::Connection*> MsgpackClient::connection() {
  auto& slot = pool_[next_++ % pool_.size()];
  if (slot)
    return slot.get();
  auto socket = SocketConnection::open(options_.socket_path, options_.timeout);
  if (!socket)
    return socket.error();
  slot = std::make_unique<Connection>();
  slot->socket = std::move(socket).value();
  return slot.get();
}

std::string MsgpackClient::refusal(Connection& c) {
  // A server that refuses a message may say why before closing (the C++ PDK
  // answers [1, nil, error, nil]); the words are still in the socket.
  const Deadline soon{Clock::now() + kRefusalWait, "the refusal"};
  for (Value answer; c.socket->read(c.in, answer, soon);) {
    if (!answer.is_array() || answer.as_array().size() != 4)
      continue;  // a notification, [2, label, args]
    if (answer.as_array()[2].is_text())
      return fmt::format("; it refused the message: {}", answer.as_array()[2].text());
    break;
  }
  return "";
}

Result<MsgpackClient::Answer> MsgpackClient::call(std::string_view method, Array params) {
  last_fault_ = ConnectionFault::none;
  auto conn = connection();
  if (!conn) {
    last_fault_ = ConnectionFault::closed;
    return Error{fmt::format("{}: {}", method, conn.error().message)};
  }
  Connection& c = **conn;
  // Drop a broken connection so that the next call opens a fresh one, as
  // Kong's pool would.
  auto broken = [&](std::string why) -> Result<Answer> {
    last_fault_ = c.socket->usable() ? ConnectionFault::garbled : c.socket->fault();
    for (auto& slot : pool_) {
      if (slot.get() == &c)
        slot.reset();
    }
    return Error{fmt::format("{}: {}", method, why)};
  };

  const std::int64_t msgid = next_msgid_++;
  std::string out;
  protocol::msgpack_encode(
      Value(Array{Value(0), Value(msgid), Value(method), Value(std::move(params))}), out,
      protocol::StrForm::kong);
  const Deadline deadline =
      Deadline::for_call(options_.timeout, case_deadline_ ? &*case_deadline_ : nullptr);
  if (auto written = c.socket->write(out, deadline); !written) {
    std::string why = written.error().message;
    if (c.socket->fault() == ConnectionFault::closed)
      why += refusal(c);
    return broken(std::move(why));
  }

  for (;;) {
    Value message;
    if (auto read = c.socket->read(c.in, message, deadline); !read) {
      return broken(c.socket->fault() == ConnectionFault::garbled
                        ? "undecodable answer: " + read.error().message
                        : read.error().message);
    }
    const Array* parts = message.is_array() ? &message.as_array() : nullptr;
    // [2, label, args]: a notification, which may come before the answer.
    if (parts && parts->size() == 3 && (*parts)[0] == Value(2)) {
      if ((*parts)[1].is_text() && (*parts)[1].text() == "serverPid" && (*parts)[2].is_int()) {
        server_pid_ = (*parts)[2].as_int();
      }
      continue;
    }
    if (!parts || parts->size() != 4 || (*parts)[0] != Value(1)) {
      return broken(fmt::format("expected an answer [1, msgid, error, result], got {}",
                                protocol::to_debug_string(message)));
    }
    if ((*parts)[1] != Value(msgid)) {
      return broken(fmt::format("answer for msgid {} arrived, expected {}",
                                protocol::to_debug_string((*parts)[1]), msgid));
    }
    Answer answer;
    const Value& err = (*parts)[2];
    if (!err.is_nil())
      answer.error = err.is_text() ? std::string(err.text()) : protocol::to_debug_string(err);
    answer.result = std::move(message.as_array()[3]);
    return answer;
  }
}

}  // namespace kong::mock
