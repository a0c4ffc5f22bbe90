#include "record/wire_tap.h"

#include <map>
#include <optional>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/method_table.h"
#include "kong/protocol/msgpack_stream.h"
#include "kong/protocol/protobuf_codec.h"
#include "kong/protocol/rpc_message.h"

#include "proto/kong_plugin_protocol.pb.h"

namespace kong::mock {
namespace {

using protocol::Value;
namespace rpc = protocol::rpc;

// Hands `handle` every whole message (a Value, a frame) that `bytes`
// completes in `stream`, copied in as a socket read would put them. Bytes
// that are not the protocol's end the reading for good: `broken` says why.
template <class Message, class Stream, class Handle>
void read(Stream& stream, std::string_view bytes, std::string& broken, Handle handle) {
  if (!broken.empty())
    return;
  while (!bytes.empty()) {
    const auto room = stream.prepare(bytes.size());
    const std::size_t n = std::min(room.size(), bytes.size());
    std::copy_n(bytes.data(), n, room.data());
    stream.commit(n);
    bytes.remove_prefix(n);
  }
  for (;;) {
    Message message;
    std::string error;
    const auto status = stream.next(message, error);
    if (status == Stream::Status::need_more)
      return;
    if (status == Stream::Status::error) {
      broken = error;
      return;
    }
    handle(std::move(message));
  }
}

std::int64_t int_or(const Value* v, std::int64_t fallback) {
  return v && v->is_int() ? v->as_int() : fallback;
}

// MsgPack:1 (protocol.md §3): [0, msgid, method, params] from Kong, [1,
// msgid, error, result] back, [2, "serverPid", pid] first from the server.
// What an answer means depends on the request it answers: kept by msgid.
class MsgpackTap final : public WireTap {
 public:
  explicit MsgpackTap(Recording& recording) : recording_(recording) {}

  void from_kong(std::string_view bytes) override {
    read<Value>(kong_, bytes, broken_, [this](Value v) { kong_sent(std::move(v)); });
  }
  void from_server(std::string_view bytes) override {
    read<Value>(server_, bytes, broken_, [this](Value v) { server_sent(std::move(v)); });
  }

  void closed(bool by_server) override {
    // Events whose answer was still to come on this connection.
    for (auto& [msgid, request] : pending_) {
      if (request.event)
        recording_.event_ended(*request.event, by_server ? kServerClosed : "");
    }
    pending_.clear();
  }

 private:
  static constexpr const char* kServerClosed =
      "the plugin server closed the connection during the event";

  struct Pending {
    std::optional<rpc::Command> command;
    Value params;  // the request's first parameter
    std::optional<std::int64_t> event;
  };

  void kong_sent(Value message) {
    auto request = rpc::parse_request(std::move(message));
    if (!request || !request->msgid.is_int())
      return;
    Pending p;
    p.command = rpc::find_command(request->method);
    if (request->params.is_array() && !request->params.as_array().empty())
      p.params = request->params.as_array()[0];
    // A Step carries Kong's answer to the event's latest call.
    if (p.command && *p.command != rpc::Command::start_instance &&
        *p.command != rpc::Command::get_instance_status &&
        *p.command != rpc::Command::close_instance && *p.command != rpc::Command::handle_event) {
      if (const Value* id = p.params.find("EventId"); id && id->is_int()) {
        p.event = id->as_int();
        const Value* data = p.params.find("Data");
        recording_.answered(*p.event, data ? *data : Value());
      }
    }
    pending_[request->msgid.as_int()] = std::move(p);
  }

  void server_sent(Value message) {
    auto parsed = rpc::parse_message(std::move(message));
    if (!parsed)
      return;
    auto* response = std::get_if<rpc::Response>(&*parsed);
    if (response == nullptr || !response->msgid.is_int())
      return;  // the serverPid notification: nothing of a lifecycle
    const auto it = pending_.find(response->msgid.as_int());
    if (it == pending_.end())
      return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    if (!p.command)
      return;
    const std::string error = response->error.is_text() ? std::string(response->error.text()) : "";
    switch (*p.command) {
      case rpc::Command::start_instance: {
        const Value* config = p.params.find("Config");
        if (error.empty() && config && config->is_text())
          recording_.instance_started(int_or(response->result.find("Id"), 0),
                                      std::string(config->text()));
        return;
      }
      case rpc::Command::handle_event: {
        const Value* name = p.params.find("EventName");
        const auto phase = name && name->is_text() ? parse_phase(name->text()) : std::nullopt;
        if (!phase)
          return;
        // Kong starts the instance again and retries: no handler ran.
        if (error.find("no plugin instance") != std::string::npos)
          return;
        const std::int64_t instance = int_or(p.params.find("InstanceId"), 0);
        const std::int64_t event = error.empty() ? int_or(response->result.find("EventId"), 0)
                                                 : recording_.new_event_key();
        recording_.event_started(event, instance, *phase);
        return next_step(event, error, response->result);
      }
      case rpc::Command::get_instance_status:
      case rpc::Command::close_instance:
        return;
      default:
        if (p.event)
          next_step(*p.event, error, response->result);
    }
  }

  // What the server asks next in an event: a call, or the end of it.
  void next_step(std::int64_t event, const std::string& error, const Value& result) {
    if (!error.empty())
      return recording_.event_ended(event, error);
    const Value* data = result.find("Data");
    if (data == nullptr || (data->is_text() && data->text() == "ret"))
      return recording_.event_ended(event);
    const Value* method = data->find("Method");
    const Value* args = data->find("Args");
    if (method && method->is_text())
      recording_.call(event, std::string(method->text()), args ? *args : Value(protocol::Array{}));
  }

  Recording& recording_;
  protocol::MsgpackStream kong_;
  protocol::MsgpackStream server_;
  std::map<std::int64_t, Pending> pending_;
};

// ProtoBuf:1 (protocol.md §4): length-prefixed frames. Kong sends an
// RpcCall; the server answers an RpcReturn, except for cmd_handle_event,
// whose event runs on this connection: the server sends a method name and
// its argument, Kong answers, and so on, until an empty name and the
// RpcReturn. What a frame is depends on where the exchange stands.
class ProtobufTap final : public WireTap {
 public:
  explicit ProtobufTap(Recording& recording) : recording_(recording) {}

  void from_kong(std::string_view bytes) override {
    read<std::string_view>(kong_, bytes, broken_,
                           [this](std::string_view frame) { kong_sent(frame); });
  }
  void from_server(std::string_view bytes) override {
    read<std::string_view>(server_, bytes, broken_,
                           [this](std::string_view frame) { server_sent(frame); });
  }

  void closed(bool by_server) override {
    if (event_ && state_ != State::idle)
      recording_.event_ended(*event_, by_server && !exited_ ? kServerClosed : "");
    state_ = State::idle;
    event_.reset();
  }

 private:
  static constexpr const char* kServerClosed =
      "the plugin server closed the connection during the event";

  enum class State {
    idle,         // Kong's next frame is an RpcCall
    command,      // the server's next is an RpcReturn
    event_name,   // the server's next is a method name, or "" at the end
    event_args,   // the server's next is the argument of `method_`
    event_answer  // Kong's next is its answer to `method_`
  };

  void kong_sent(std::string_view frame) {
    if (state_ == State::event_answer) {
      const protocol::MethodInfo* info = protocol::find_method(method_);
      auto answer = info ? protocol::protobuf::decode_result(*info, frame) : Result<Value>(Value());
      recording_.answered(*event_, answer ? std::move(answer).value() : Value());
      state_ = State::event_name;
      return;
    }
    kong_plugin_protocol::RpcCall call;
    if (!call.ParseFromArray(frame.data(), static_cast<int>(frame.size())))
      return;
    starting_.reset();
    if (call.has_cmd_handle_event()) {
      // The event starts with the server's first frame: a server that closes
      // the connection instead does not know the instance, and Kong retries.
      pending_event_ = {call.cmd_handle_event().instance_id(),
                        parse_phase(call.cmd_handle_event().event_name())};
      event_.reset();
      exited_ = false;
      state_ = State::event_name;
      return;
    }
    if (call.has_cmd_start_instance())
      starting_ = call.cmd_start_instance().config();
    state_ = State::command;
  }

  void server_sent(std::string_view frame) {
    switch (state_) {
      case State::idle:
      case State::event_answer:
        return;
      case State::command: {
        kong_plugin_protocol::RpcReturn ret;
        if (starting_ && ret.ParseFromArray(frame.data(), static_cast<int>(frame.size())) &&
            ret.has_instance_status())
          recording_.instance_started(ret.instance_status().instance_id(), *starting_);
        starting_.reset();
        state_ = State::idle;
        return;
      }
      case State::event_name:
        if (!event_) {
          if (!pending_event_.second)
            return;
          event_ = recording_.new_event_key();
          recording_.event_started(*event_, pending_event_.first, *pending_event_.second);
        }
        if (frame.empty()) {  // the handler returned; the RpcReturn follows
          recording_.event_ended(*event_);
          state_ = State::command;
          return;
        }
        method_.assign(frame);
        state_ = State::event_args;
        return;
      case State::event_args: {
        const protocol::MethodInfo* info = protocol::find_method(method_);
        auto args = info ? protocol::protobuf::decode_arguments(*info, frame)
                         : Result<protocol::Array>(protocol::Array{});
        recording_.call(*event_, method_,
                        Value(args ? std::move(args).value() : protocol::Array{}));
        // Kong answers no exit, and the server closes the connection.
        exited_ = info && info->ends_event;
        state_ = exited_ ? State::idle : State::event_answer;
        return;
      }
    }
  }

  Recording& recording_;
  protocol::FrameStream kong_;
  protocol::FrameStream server_;
  State state_ = State::idle;
  std::optional<std::string> starting_;
  std::pair<std::int64_t, std::optional<Phase>> pending_event_;
  std::optional<std::int64_t> event_;
  std::string method_;
  bool exited_ = false;
};

}  // namespace

std::unique_ptr<WireTap> make_wire_tap(Protocol protocol, Recording& recording) {
  if (protocol == Protocol::protobuf)
    return std::make_unique<ProtobufTap>(recording);
  return std::make_unique<MsgpackTap>(recording);
}

}  // namespace kong::mock
