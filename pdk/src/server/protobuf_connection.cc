#include "server/protobuf_connection.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "kong/protocol/protobuf_codec.h"
#include "kong/result.h"

#include "proto/kong_plugin_protocol.pb.h"
#include "protocol/protobuf_serialize.h"
#include "server/event_driver.h"
#include "server/protobuf_commands.h"

namespace kong::server {
namespace {

namespace pb = kong_plugin_protocol;
using protocol::Value;

// A body Kong buffered to a file (a RawBodyResult's body_filepath) read in
// place of the result, as Kong's own plugin servers read it; any other
// result left as it came. The error when the file cannot be read.
std::optional<std::string> read_body_file(Value& result) {
  const Value* file = result.is_map() ? result.find("body_filepath") : nullptr;
  if (file == nullptr || !file->is_text())
    return std::nullopt;
  const std::string path(file->text());
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fmt::format("cannot read the body file {} Kong named", path);
  result = Value(Bytes{std::string(std::istreambuf_iterator<char>(in), {})});
  return std::nullopt;
}

}  // namespace

ProtobufConnection::ProtobufConnection(int fd, EventLoop& loop, const ProtobufContext& context)
    : Connection(fd, loop), context_(context), in_(context.max_frame_bytes) {}

ProtobufConnection::~ProtobufConnection() {
  if (event_)
    event_->set_listener(nullptr);  // away: not resumed, and unwound when its work is done
  end_event();
}

void ProtobufConnection::received(std::size_t n) {
  in_.commit(n);
  take_frames();
}

void ProtobufConnection::take_frames() {
  std::string_view frame;
  std::string error;
  while (!closing() && !input_paused()) {
    const std::size_t at = in_.offset();  // where this frame starts, for errors
    const auto status = in_.next(frame, error);
    if (status == protocol::FrameStream::Status::need_more)
      break;
    if (status == protocol::FrameStream::Status::error) {
      give_up(error);
      break;
    }
    if (event_)
      answer_call(frame);
    else
      command(frame, at);
  }
}

void ProtobufConnection::command(std::string_view frame, std::size_t at) {
  pb::RpcCall call;
  if (!call.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    give_up(fmt::format("frame at byte {}: {} bytes are not an RpcCall", at, frame.size()));
    return;
  }
  if (call.call_case() == pb::RpcCall::kCmdHandleEvent) {
    const auto& cmd = call.cmd_handle_event();
    start_event(call.sequence(), cmd.instance_id(), cmd.event_name());
    return;
  }
  auto answer = answer_command(call, context_.instances, context_.loaded_at);
  if (!answer) {
    give_up(fmt::format("RpcCall at byte {} (sequence {}): {}", at, call.sequence(),
                        answer.error().message));
    return;
  }
  protocol::append_frame(out(), protocol::protobuf::serialize(*answer));
}

void ProtobufConnection::start_event(std::int64_t sequence, std::int64_t instance_id,
                                     std::string_view event_name) {
  auto instance = context_.instances.find(instance_id);
  auto phase = context_.instances.handled_phase(event_name);
  if (!instance || !phase) {
    give_up(fmt::format("cmd_handle_event (sequence {}): {}", sequence,
                        instance ? phase.error().message : instance.error().message));
    return;
  }
  // The event's id is its command's sequence, which the RpcReturn repeats.
  event_ = context_.driver.start(sequence, *phase, (*instance)->plugin);
  if (context_.running_events)
    ++*context_.running_events;
  step(context_.driver.advance(event_, Value{}, std::nullopt, *this));
}

void ProtobufConnection::answer_call(std::string_view frame) {
  const protocol::MethodInfo& method = *std::exchange(waiting_, nullptr);
  Value result;
  std::optional<std::string> error;  // thrown in the handler as the call's PdkError
  auto decoded = protocol::protobuf::decode_result(method, frame);
  if (decoded) {
    result = std::move(decoded).value();
    if (method.pb_output == "RawBodyResult")
      error = read_body_file(result);
  } else {
    error = decoded.error().message;
  }
  step(context_.driver.advance(event_, std::move(result), std::move(error), *this));
}

void ProtobufConnection::on_outcome(Event&, Event::Outcome outcome) {
  if (closed())
    return;
  const Held held(*this);
  resume_input();
  step(std::move(outcome));
  take_frames();  // those that came meanwhile
  flush();
}

void ProtobufConnection::step(std::optional<Event::Outcome> next) {
  using Kind = Event::Outcome::Kind;
  // Kong waits for the handler's next frame and sends nothing meanwhile;
  // anything it did send waits too.
  if (!next) {
    pause_input();
    return;
  }
  Event::Outcome outcome = std::move(*next);
  for (;;) {
    switch (outcome.kind) {
      case Kind::call:
      case Kind::ended: {
        auto input = protocol::protobuf::encode_arguments(*outcome.method, outcome.args);
        if (!input) {
          // Nothing went to Kong: the call fails in the handler at once, which
          // may catch it and go on.
          auto after = context_.driver.advance(event_, Value{}, input.error().message, *this);
          if (!after) {
            pause_input();
            return;
          }
          outcome = std::move(*after);
          continue;
        }
        protocol::append_frame(out(), outcome.method->name);
        protocol::append_frame(out(), *input);
        if (outcome.kind == Kind::call) {
          waiting_ = outcome.method;
          return;
        }
        // Kong answers an exit with nothing, and the Go PDK closes the
        // connection after it (protocol.md §4).
        context_.driver.end(event_);
        end_event();
        close_after_write();
        return;
      }
      case Kind::returned: {
        // An empty frame where the next method name would be, then the
        // RpcReturn of the cmd_handle_event (protocol.md §4).
        protocol::append_frame(out(), "");
        pb::RpcReturn done;
        done.set_sequence(event_->id());
        protocol::append_frame(out(), protocol::protobuf::serialize(done));
        end_event();
        return;
      }
      case Kind::blocked:  // EventDriver's, never here
      case Kind::failed: {
        // ProtoBuf:1 has no error answer. Kong reads a method name next, so
        // the failure goes there, with an empty argument frame: Kong looks
        // the name up, fails with `method "<text>" not found`, logs it and
        // answers the client 500, as for a failed MsgPack:1 event. The
        // connection is closed after it, as nothing sensible can follow.
        const std::string why =
            handler_failure(context_.instances.plugin_name(), event_->phase(), outcome.error);
        std::fprintf(stderr, "%s\n", why.c_str());
        protocol::append_frame(out(), why);
        protocol::append_frame(out(), "");
        end_event();
        close_after_write();
        return;
      }
    }
  }
}

void ProtobufConnection::end_event() {
  if (event_ && context_.running_events)
    --*context_.running_events;
  event_.reset();  // its stack goes back to the pool
  waiting_ = nullptr;
}

void ProtobufConnection::give_up(std::string_view why) {
  std::fprintf(stderr, "protobuf connection: %.*s; closing it without an answer\n",
               static_cast<int>(why.size()), why.data());
  close_after_write();
}

}  // namespace kong::server
