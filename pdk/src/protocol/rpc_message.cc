#include "kong/protocol/rpc_message.h"

#include <array>

#include <fmt/format.h>

namespace kong::protocol::rpc {
namespace {

struct CommandName {
  Command command;
  std::string_view name;
};

constexpr std::array kCommandNames = {
#define KONG_RPC_COMMAND(id, name) CommandName{Command::id, name},
#include "kong/protocol/rpc_commands.def"
};

constexpr auto kCommands = [] {
  std::array<Command, kCommandNames.size()> all{};
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = kCommandNames[i].command;
  return all;
}();

// The message's parts, when it is an array of `n` whose first is `kind`.
Array* shaped(Value& message, std::size_t n, std::int64_t kind) {
  if (!message.is_array())
    return nullptr;
  Array& parts = message.as_array();
  return parts.size() == n && parts[0].is_int() && parts[0].as_int() == kind ? &parts : nullptr;
}

Error not_a(std::string_view expected, const Value& got) {
  return Error{fmt::format("expected {}, got {}", expected, to_debug_string(got))};
}

constexpr std::string_view kRequestShape = "a request [0, msgid, method, params]";

}  // namespace

std::string_view command_name(Command command) {
  return kCommandNames[static_cast<std::size_t>(command)].name;
}

std::optional<Command> find_command(std::string_view method) {
  for (const auto& c : kCommandNames) {
    if (c.name == method)
      return c.command;
  }
  return std::nullopt;
}

Command step_command(StepKind kind) {
  switch (kind) {
    case StepKind::plain:
      return Command::step;
    case StepKind::multimap:
      return Command::step_multimap;
    case StepKind::credential:
      return Command::step_credential;
    case StepKind::consumer:
      return Command::step_consumer;
    case StepKind::route:
      return Command::step_route;
    case StepKind::service:
      return Command::step_service;
    case StepKind::memory_stats:
      return Command::step_memory_stats;
  }
  return Command::step;
}

std::span<const Command> commands() {
  return kCommands;
}

// Written piece by piece: the params or result, the bulk of a message, is
// encoded in place rather than copied into an array first.
void encode(const Request& request, std::string& out, StrForm form) {
  out.push_back(static_cast<char>(0x94));
  msgpack_encode(Value(0), out, form);
  msgpack_encode(request.msgid, out, form);
  msgpack_encode_string(request.method, out, form);
  msgpack_encode(request.params, out, form);
}

void encode(const Response& response, std::string& out, StrForm form) {
  out.push_back(static_cast<char>(0x94));
  msgpack_encode(Value(1), out, form);
  msgpack_encode(response.msgid, out, form);
  msgpack_encode(response.error, out, form);
  msgpack_encode(response.result, out, form);
}

void encode(const Notification& notification, std::string& out, StrForm form) {
  out.push_back(static_cast<char>(0x93));
  msgpack_encode(Value(2), out, form);
  msgpack_encode_string(notification.label, out, form);
  msgpack_encode(notification.args, out, form);
}

void encode_request_head(std::int64_t msgid, Command command, std::size_t params, std::string& out,
                         StrForm form) {
  out.push_back(static_cast<char>(0x94));
  msgpack_encode_int(0, out);
  msgpack_encode_int(msgid, out);
  msgpack_encode_string(command_name(command), out, form);
  msgpack_encode_array_header(params, out);
}

Request request(std::int64_t msgid, Command command, Array params) {
  return Request{Value(msgid), std::string(command_name(command)), Value(std::move(params))};
}

Result<Message> parse_message(Value message) {
  if (Array* p = shaped(message, 4, 0)) {
    if (!(*p)[2].is_text())
      return not_a(kRequestShape, message);
    return Message{Request{std::move((*p)[1]), std::string((*p)[2].text()), std::move((*p)[3])}};
  }
  if (auto r = response_parts(message))
    return Message{Response{std::move(r->msgid), std::move(r->error), std::move(r->result)}};
  if (Array* p = shaped(message, 3, 2)) {
    if ((*p)[1].is_text())
      return Message{Notification{std::string((*p)[1].text()), std::move((*p)[2])}};
  }
  return not_a("[0, msgid, method, params], [1, msgid, error, result] or [2, label, args]",
               message);
}

std::optional<ResponseParts> response_parts(Value& message) {
  Array* p = shaped(message, 4, 1);
  if (!p)
    return std::nullopt;
  return ResponseParts{(*p)[1], (*p)[2], (*p)[3]};
}

Result<Request> parse_request(Value message) {
  Array* p = shaped(message, 4, 0);
  if (!p || !(*p)[2].is_text())
    return not_a(kRequestShape, message);
  return Request{std::move((*p)[1]), std::string((*p)[2].text()), std::move((*p)[3])};
}

}  // namespace kong::protocol::rpc
