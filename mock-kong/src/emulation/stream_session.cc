// How a stream (TCP or TLS) session ends, as Kong's stream subsystem ends
// it: there is no HTTP response, only the bytes sent to the client before
// nginx closes the connection, and the session's status.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "emulation/body.h"
#include "emulation/emulation.h"
#include "emulation/serialize.h"

namespace kong::mock {

using protocol::Array;
using protocol::Value;

// kong/pdk/response.lua, the stream _RESPONSE.exit: no phase check; the
// statuses of nginx's stream module (ngx_stream.h); headers are neither
// checked nor sent. In preread the exit is delayed, then send_stream writes
// the body (ngx.print) below 400, or logs it at 400 and above, and
// ngx.exit(status) closes the session.
Value stream_exit(KongState& s, const Array& args) {
  const Value& status = arg(args, 0);
  if (!status.is_number())
    throw LuaError{"code must be a number"};
  constexpr std::array kValidCodes = {200.0, 400.0, 403.0, 500.0, 502.0, 503.0};
  if (std::ranges::find(kValidCodes, status.as_double()) == kValidCodes.end())
    throw LuaError{"unacceptable code, only 200, 400, 403, 500, 502 and 503 are accepted"};
  const Value& body = arg(args, 1);
  std::string text;
  if (lua_type(body) == "table")
    text = cjson_encode(body);
  else if (body.is_text())
    text = std::string(body.text());
  else if (!body.is_nil())
    throw LuaError{"body must be a nil, string or table"};
  const auto code = static_cast<std::int64_t>(status.as_double());
  if (!body.is_nil() && code >= 400) {
    s.log.push_back(
        {"err", fmt::format("unable to proxy stream connection, status: {}, err: {}", code, text),
         s.phase});
    text.clear();
  }
  end_stream_session(s, code, std::move(text));
  return Value{};
}

void end_stream_session(KongState& s, std::int64_t status, std::string sent) {
  s.response.status = status;
  s.response.headers = Headers{};
  s.response.body = std::move(sent);
  s.response.source = "exit";
  s.exited = true;
}

}  // namespace kong::mock
