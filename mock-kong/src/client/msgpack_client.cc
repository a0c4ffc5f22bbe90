#include "client/msgpack_client.h"

#include <fmt/format.h>

namespace kong::mock {

using protocol::Array;
using protocol::Value;

namespace {

// How long a refusal may take to arrive once the server stopped reading.
constexpr auto kRefusalWait = std::chrono::milliseconds(200);

// Idle connections Kong's cosocket pool keeps (lua_socket_pool_size).
constexpr std::size_t kKeptIdle = 256;

}  // namespace

MsgpackClient::MsgpackClient(Options options) : options_(std::move(options)) {
  options_.pool_size = std::max<std::size_t>(1, options_.pool_size);
}

MsgpackClient::~MsgpackClient() = default;

void MsgpackClient::adopt(std::unique_ptr<SocketConnection> socket) {
  auto c = std::make_unique<Connection>();
  c->socket = std::move(socket);
  idle_.push_front(std::move(c));
  ++open_;
}

Result<MsgpackClient::Owned> MsgpackClient::take() {
  if (!idle_.empty() && open_ >= options_.pool_size) {
    Owned c = std::move(idle_.front());
    idle_.pop_front();
    return c;
  }
  auto socket = SocketConnection::open(options_.socket_path, options_.timeout);
  if (!socket)
    return socket.error();
  auto c = std::make_unique<Connection>();
  c->socket = std::move(socket).value();
  ++open_;
  return c;
}

void MsgpackClient::give_back(Owned c) {
  if (idle_.size() >= kKeptIdle) {
    --open_;
    return;
  }
  idle_.push_back(std::move(c));
}

std::string MsgpackClient::refusal(Connection& c) {
  // A server that refuses a message may say why before closing (the C++ PDK
  // answers [1, nil, error, nil]); the words are still in the socket.
  const Deadline soon{Clock::now() + kRefusalWait, "the refusal"};
  for (Value value; c.socket->read(c.in, value, soon);) {
    auto message = protocol::rpc::parse_message(std::move(value));
    if (!message || !std::holds_alternative<protocol::rpc::Response>(*message))
      continue;  // a notification, [2, label, args]
    const Value& error = std::get<protocol::rpc::Response>(*message).error;
    if (error.is_text())
      return fmt::format("; it refused the message: {}", error.text());
    break;
  }
  return "";
}

Error MsgpackClient::broken(Exchange& x, std::string why) {
  const SocketConnection& socket = *x.connection->socket;
  last_fault_ = socket.usable() ? ConnectionFault::garbled : socket.fault();
  --open_;
  x.connection.reset();
  return Error{fmt::format("{}: {}", x.method, why)};
}

template <class Encode>
Result<MsgpackClient::Exchange> MsgpackClient::send(protocol::rpc::Command command, Encode encode) {
  last_fault_ = ConnectionFault::none;
  Exchange x{nullptr, 0, protocol::rpc::command_name(command),
             Deadline::for_call(options_.timeout)};
  auto taken = take();
  if (!taken) {
    last_fault_ = ConnectionFault::closed;
    return Error{fmt::format("{}: {}", x.method, taken.error().message)};
  }
  x.connection = std::move(taken).value();
  Connection& c = *x.connection;
  x.msgid = next_msgid_++;
  c.out.clear();
  encode(x.msgid, c.out);
  if (auto written = c.socket->write(c.out, x.deadline); !written) {
    std::string why = written.error().message;
    if (c.socket->fault() == ConnectionFault::closed)
      why += refusal(c);
    return broken(x, std::move(why));
  }
  return x;
}

Result<MsgpackClient::Answer> MsgpackClient::read_answer(Exchange& x) {
  using namespace protocol::rpc;
  Connection& c = *x.connection;
  for (;;) {
    Value value;
    if (auto read = c.socket->read(c.in, value, x.deadline); !read) {
      return broken(x, c.socket->fault() == ConnectionFault::garbled
                           ? "undecodable answer: " + read.error().message
                           : read.error().message);
    }
    // Most messages are the answer: read where it arrived.
    if (auto response = response_parts(value)) {
      if (!response->msgid.is_int() || response->msgid.as_int() != x.msgid) {
        return broken(x, fmt::format("answer for msgid {} arrived, expected {}",
                                     protocol::to_debug_string(response->msgid), x.msgid));
      }
      Answer answer;
      if (!response->error.is_nil()) {
        answer.error = response->error.is_text() ? std::string(response->error.text())
                                                 : protocol::to_debug_string(response->error);
      }
      answer.result = std::move(response->result);
      give_back(std::move(x.connection));
      return answer;
    }
    auto message = parse_message(std::move(value));
    if (!message)
      return broken(x, message.error().message);
    // A notification may come before the answer: the server's pid.
    if (const auto* note = std::get_if<Notification>(&*message)) {
      if (note->label == kServerPidLabel && note->args.is_int())
        server_pid_ = note->args.as_int();
      continue;
    }
    return broken(x,
                  fmt::format("expected an answer [1, msgid, error, result], got a request for {}",
                              std::get<Request>(*message).method));
  }
}

Result<MsgpackClient::Answer> MsgpackClient::call(protocol::rpc::Command command, Array params) {
  auto sent = send(command, [&](std::int64_t msgid, std::string& out) {
    encode(protocol::rpc::request(msgid, command, std::move(params)), out, protocol::StrForm::kong);
  });
  if (!sent)
    return sent.error();
  return read_answer(*sent);
}

Result<MsgpackClient::Answer> MsgpackClient::call_event(protocol::rpc::Command command,
                                                        EventParams params, EventStep& step) {
  auto sent = send(command, [&](std::int64_t msgid, std::string& out) {
    encode_event_call(msgid, command, params, out);
  });
  if (!sent)
    return sent.error();
  Exchange& x = *sent;
  Connection& c = *x.connection;
  // The answer is usually all there after one receive: read where it lies.
  // Anything else (more to come, a notification first, an error) takes the
  // general path, which decodes it and judges it.
  if (c.in.buffered() == 0) {
    if (auto got = c.socket->receive_more(c.in, x.deadline); !got)
      return broken(x, got.error().message);
  }
  if (const std::size_t used = read_event_step(c.in.pending(), x.msgid, step)) {
    c.in.consume(used);
    give_back(std::move(x.connection));
    Answer answer;
    answer.step_read = true;
    return answer;
  }
  return read_answer(x);
}

}  // namespace kong::mock
