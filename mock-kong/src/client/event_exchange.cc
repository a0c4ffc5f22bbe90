#include "client/event_exchange.h"

#include <fmt/format.h>

#include "kong/protocol/msgpack_codec.h"

namespace kong::mock {

using protocol::Array;
using protocol::Map;
using protocol::Value;

Array to_array(EventParams params) {
  Map m;
  m.reserve(2);
  m.emplace_back(Value(params.id_key), Value(params.id));
  if (!params.data.is_nil())
    m.emplace_back(Value(params.data_key), std::move(params.data));
  Array a;
  a.emplace_back(std::move(m));
  return a;
}

void encode_event_call(std::int64_t msgid, protocol::rpc::Command command,
                       const EventParams& params, std::string& out) {
  constexpr auto form = protocol::StrForm::kong;
  protocol::rpc::encode_request_head(msgid, command, 1, out, form);
  protocol::msgpack_encode_map_header(params.data.is_nil() ? 1 : 2, out);
  protocol::msgpack_encode_string(params.id_key, out, form);
  protocol::msgpack_encode_int(params.id, out);
  if (!params.data.is_nil()) {
    protocol::msgpack_encode_string(params.data_key, out, form);
    protocol::msgpack_encode(params.data, out, form);
  }
}

namespace {

// Data as the usual answer has it: "ret", or {Method: text, Args: array}
// with each key once.
bool read_data(protocol::MsgpackReader& in, EventStep& step) {
  std::string_view text;
  if (in.text(text)) {
    step.over = text == "ret";
    return step.over;
  }
  std::size_t entries = 0;
  if (!in.map(entries))
    return false;
  bool method = false;
  bool args = false;
  for (std::size_t i = 0; i < entries; ++i) {
    std::string_view key;
    if (!in.text(key))
      return false;
    if (key == "Method" && !method) {
      if (!in.text(text))
        return false;
      step.method.assign(text);
      method = true;
    } else if (key == "Args" && !args) {
      Value v;
      if (!in.value(v) || !v.is_array())
        return false;
      step.args = std::move(v.as_array());
      args = true;
    } else {
      return false;
    }
  }
  if (!args)
    step.args.clear();
  step.over = false;
  return method;
}

}  // namespace

std::size_t read_event_step(std::string_view bytes, std::int64_t msgid, EventStep& step) {
  protocol::MsgpackReader in(bytes);
  std::size_t items = 0;
  std::int64_t kind = 0;
  std::int64_t id = 0;
  if (!in.array(items) || items != 4 || !in.integer(kind) || kind != 1 || !in.integer(id) ||
      id != msgid || !in.nil() || !in.map(items))
    return 0;
  bool event_id = false;
  bool data = false;
  for (std::size_t i = 0; i < items; ++i) {
    std::string_view key;
    if (!in.text(key))
      return 0;
    if (key == "EventId" && !event_id) {
      if (!in.integer(step.event_id))
        return 0;
      event_id = true;
    } else if (key == "Data" && !data) {
      if (!read_data(in, step))
        return 0;
      data = true;
    } else {
      return 0;
    }
  }
  return event_id && data ? in.used() : 0;
}

Status event_step_of(Value& result, EventStep& step) {
  const Value* event_id = result.find("EventId");
  Value* data = result.find("Data");
  if (!event_id || !event_id->is_int()) {
    return Error{fmt::format("expected {{EventId: integer, Data}} from the plugin server, got {}",
                             protocol::to_debug_string(result))};
  }
  step.event_id = event_id->as_int();
  step.over = data && data->is_text() && data->text() == "ret";
  if (step.over)
    return Ok{};
  const Value* called = data && data->is_map() ? data->find("Method") : nullptr;
  if (!called || !called->is_text()) {
    return Error{fmt::format("expected Data \"ret\" or a PDK call {{Method, Args}}, got {}",
                             data ? protocol::to_debug_string(*data) : "nothing")};
  }
  step.method.assign(called->text());
  // The arguments go to the handler as they are, not copied.
  step.args.clear();
  if (Value* given = data->find("Args"); given && given->is_array())
    step.args = std::move(given->as_array());
  return Ok{};
}

}  // namespace kong::mock
