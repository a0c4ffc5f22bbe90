#pragma once

// MsgPack:1's messages (protocol.md §3), defined once: typed builders and
// one parser for what travels between Kong and a plugin server, and the
// plugin.* methods by name (rpc_commands.def).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "kong/protocol/method_table.h"
#include "kong/protocol/msgpack_codec.h"
#include "kong/protocol/value.h"
#include "kong/result.h"

namespace kong::protocol::rpc {

enum class Command : std::uint8_t {
#define KONG_RPC_COMMAND(id, name) id,
#include "kong/protocol/rpc_commands.def"
};

/// "plugin.StartInstance", ...
std::string_view command_name(Command command);
/// The command a method names; nullopt for one Kong does not call.
std::optional<Command> find_command(std::string_view method);
/// The Step command that answers a PDK call of this kind.
Command step_command(StepKind kind);
/// Every command, in rpc_commands.def's order.
std::span<const Command> commands();

/// [0, msgid, method, params]: a call, Kong's to the server. `params` is
/// an array in a good one; a server answers one that is not with an error.
struct Request {
  Value msgid;
  std::string method;
  Value params;
};

/// [1, msgid, error, result]: the answer to a Request. `error` is nil on
/// success; a server that refuses a whole message answers with a nil msgid.
struct Response {
  Value msgid;
  Value error;
  Value result;
};

/// [2, label, args]: a message no one answers (the server's serverPid).
struct Notification {
  std::string label;
  Value args;
};

using Message = std::variant<Request, Response, Notification>;

/// A Response's parts where they arrived, in the message: what a client
/// reads most, without moving them out first.
struct ResponseParts {
  Value& msgid;
  Value& error;
  Value& result;
};

/// The notification a server sends first on each connection.
inline constexpr std::string_view kServerPidLabel = "serverPid";

/// Appends each message's MessagePack encoding to `out`. Kong writes
/// strings its own way (StrForm::kong); servers answer compactly.
void encode(const Request& request, std::string& out, StrForm form = StrForm::compact);
void encode(const Response& response, std::string& out, StrForm form = StrForm::compact);
void encode(const Notification& notification, std::string& out, StrForm form = StrForm::compact);

/// Appends the start of a Request for `command`: [0, msgid, method, and the
/// header of a params array of `params` items, which the caller appends.
/// What a client writes without building the params as Values first.
void encode_request_head(std::int64_t msgid, Command command, std::size_t params, std::string& out,
                         StrForm form = StrForm::compact);

/// A Request for `command` with msgid `msgid`.
Request request(std::int64_t msgid, Command command, Array params);

/// Which message a value is, by its shape. The error says what was
/// expected and shows what came.
Result<Message> parse_message(Value message);
/// A Request only: what a server accepts.
Result<Request> parse_request(Value message);
/// `message`'s parts when it is a Response [1, msgid, error, result];
/// nullopt when it has another shape (parse_message says which).
std::optional<ResponseParts> response_parts(Value& message);

}  // namespace kong::protocol::rpc
