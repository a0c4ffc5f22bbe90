#include "client/protobuf_client.h"

#include <limits>

#include <fmt/format.h>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/protobuf_codec.h"

#include "client/socket_connection.h"
#include "proto/kong_plugin_protocol.pb.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

std::string printable(std::string_view bytes) {
  return protocol::to_debug_string(Value(std::string(bytes)));
}

// Kong's check of the frame that ends a command: an RpcReturn repeating the
// RpcCall's sequence.
Result<kong_plugin_protocol::RpcReturn> rpc_return(const std::string& frame,
                                                   std::int64_t sequence) {
  kong_plugin_protocol::RpcReturn answer;
  if (!answer.ParseFromString(frame)) {
    return Error{fmt::format("the answer is not an RpcReturn: {}",
                             protocol::to_debug_string(Value(Bytes{frame})))};
  }
  if (answer.sequence() != sequence) {
    return Error{
        fmt::format("the RpcReturn has sequence {}, expected {}", answer.sequence(), sequence)};
  }
  return answer;
}

}  // namespace

struct ProtobufClient::Connection {
  std::unique_ptr<SocketConnection> socket;
  protocol::FrameStream in;

  Status write(std::string_view payload, const Deadline& deadline) {
    std::string out;
    protocol::append_frame(out, payload);
    return socket->write(out, deadline);
  }

  Result<std::string> read(const Deadline& deadline) {
    std::string_view frame;
    if (auto read = socket->read(in, frame, deadline); !read)
      return read.error();
    return std::string(frame);
  }

  // The server closed it: Kong's "closed".
  bool peer_closed() const { return socket->fault() == ConnectionFault::closed; }
};

ProtobufClient::ProtobufClient(Options options) : options_(std::move(options)) {}
ProtobufClient::~ProtobufClient() = default;

void ProtobufClient::adopt(std::unique_ptr<SocketConnection> socket) {
  auto c = std::make_unique<Connection>();
  c->socket = std::move(socket);
  ++opened_;
  give_back(std::move(c));
}

Result<ProtobufClient::Owned> ProtobufClient::take() {
  if (!idle_.empty()) {
    Owned c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  auto socket = SocketConnection::open(options_.socket_path, options_.timeout);
  if (!socket) {
    last_fault_ = ConnectionFault::closed;
    return socket.error();
  }
  auto c = std::make_unique<Connection>();
  c->socket = std::move(socket).value();
  ++opened_;
  return c;
}

void ProtobufClient::give_back(Owned c) {
  if (idle_.size() < options_.pool_size)
    idle_.push_back(std::move(c));
}

Result<kong_plugin_protocol::RpcReturn> ProtobufClient::command(kong_plugin_protocol::RpcCall& call,
                                                                std::string_view what) {
  last_fault_ = ConnectionFault::none;
  auto conn = take();
  if (!conn)
    return Error{fmt::format("{}: {}", what, conn.error().message)};
  Connection& c = **conn;
  call.set_sequence(++sequence_);
  const Deadline deadline = call_deadline();
  Status written = c.write(call.SerializeAsString(), deadline);
  auto frame = written ? c.read(deadline) : Result<std::string>(written.error());
  if (!frame) {
    last_fault_ = c.socket->fault();
    return Error{fmt::format("{}: {}", what, frame.error().message)};
  }
  auto answer = rpc_return(*frame, call.sequence());
  if (!answer)
    return Error{fmt::format("{}: {}", what, answer.error().message)};
  give_back(std::move(*conn));
  return answer;
}

Result<std::int64_t> ProtobufClient::start_instance(const std::string& name,
                                                    const std::string& config) {
  kong_plugin_protocol::RpcCall call;
  call.mutable_cmd_start_instance()->set_name(name);
  call.mutable_cmd_start_instance()->set_config(config);
  auto answer = command(call, "cmd_start_instance");
  if (!answer)
    return answer.error();
  if (!answer->has_instance_status()) {
    return Error{fmt::format("cmd_start_instance: expected an instance_status, got {}",
                             answer->ShortDebugString())};
  }
  return std::int64_t{answer->instance_status().instance_id()};
}

Status ProtobufClient::close_instance(std::int64_t id) {
  kong_plugin_protocol::RpcCall call;
  call.mutable_cmd_close_instance()->set_instance_id(static_cast<std::int32_t>(id));
  auto answer = command(call, "cmd_close_instance");
  if (!answer)
    return answer.error();
  return Ok{};
}

Deadline ProtobufClient::call_deadline() const {
  return Deadline::for_call(options_.timeout);
}

EventEnd ProtobufClient::run_event(std::int64_t id, Phase phase, const CallHandler& handler) {
  const std::string_view phase_name = to_string(phase);
  EventEnd end;
  last_fault_ = ConnectionFault::none;
  if (id < std::numeric_limits<std::int32_t>::min() ||
      id > std::numeric_limits<std::int32_t>::max())
    return end.fail(
        fmt::format("{}: instance id {} does not fit ProtoBuf:1's int32", phase_name, id));
  auto conn = take();
  if (!conn)
    return end.fail(fmt::format("{}: {}", phase_name, conn.error().message));
  Connection& c = **conn;
  kong_plugin_protocol::RpcCall call;
  call.set_sequence(++sequence_);
  call.mutable_cmd_handle_event()->set_instance_id(static_cast<std::int32_t>(id));
  call.mutable_cmd_handle_event()->set_event_name(std::string(phase_name));
  if (auto written = c.write(call.SerializeAsString(), call_deadline()); !written) {
    last_fault_ = c.socket->fault();
    return end.fail(
        fmt::format("{}: writing cmd_handle_event: {}", phase_name, written.error().message));
  }

  // A frame of the event, or why there is none. Kong takes any closed
  // connection as a lost instance: it starts a new one and runs the event
  // again. Before the first frame that is how the Go PDK refuses an unknown
  // instance; after it, the server died mid-event, which is worth saying.
  bool lost = false;
  auto next = [&](std::string_view expected) -> Result<std::string> {
    auto frame = c.read(call_deadline());
    if (!frame) {
      last_fault_ = c.socket->fault();
      lost = c.peer_closed();
      return Error{fmt::format("{}: {} after {} PDK call(s): {}", phase_name, expected, end.calls,
                               frame.error().message)};
    }
    return frame;
  };
  auto lost_or_failed = [&](const Error& e) {
    if (!lost)
      return end.fail(e.message);
    end.kind = EventEnd::Kind::lost_instance;
    if (end.calls > 0)
      end.error = e.message;
    return end;
  };

  for (;;) {
    auto name = next("expected a method name");
    if (!name)
      return lost_or_failed(name.error());
    if (name->empty())
      break;  // the handler returned
    auto args = next(fmt::format("expected the argument of {}", printable(*name)));
    if (!args)
      return lost_or_failed(args.error());
    const protocol::MethodInfo* info = protocol::find_method(*name);
    // Kong knows only the functions its .proto has an rpc for; for any
    // other name it logs this, gives up the event and answers 500.
    if (info == nullptr || info->pb_input.empty())
      return end.fail(fmt::format("pluginserver error: method {} not found", printable(*name)));
    auto decoded = protocol::protobuf::decode_arguments(*info, *args);
    if (!decoded) {
      return end.fail(fmt::format("{}: call {} ({}): undecodable argument: {}", phase_name,
                                  end.calls + 1, info->name, decoded.error().message));
    }
    CallOutcome outcome = handler(info->name, info, std::move(decoded).value());
    ++end.calls;
    end.last_call = info->name;
    switch (outcome.kind) {
      case CallOutcome::Kind::failed:
        return end.fail(std::move(outcome.error));
      case CallOutcome::Kind::ended:
        // Kong writes no answer, and the Go PDK closes the connection: it
        // does not go back to the pool.
        end.kind = EventEnd::Kind::exited;
        return end;
      case CallOutcome::Kind::answer:
        break;
    }
    auto answer = protocol::protobuf::encode_result(*info, outcome.result);
    if (!answer)
      return end.fail(fmt::format("{}: {}", info->name, answer.error().message));
    if (auto written = c.write(*answer, call_deadline()); !written) {
      last_fault_ = c.socket->fault();
      return end.fail(fmt::format("{}: writing the answer to {}: {}", phase_name, info->name,
                                  written.error().message));
    }
  }

  auto frame = next("expected the RpcReturn");
  if (!frame)
    return lost_or_failed(frame.error());
  if (auto ret = rpc_return(*frame, call.sequence()); !ret)
    return end.fail(fmt::format("{}: {}", phase_name, ret.error().message));
  give_back(std::move(*conn));
  return end;
}

}  // namespace kong::mock
