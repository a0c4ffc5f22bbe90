// kong.request.get_raw_body and get_body: nginx's request body, read before the
// response is sent (rewrite, access, response).
#include "emulation/body.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

Value get_raw_body(KongState& s, const Array&) {
  // mock-kong keeps every body in memory, as nginx does below
  // client_body_buffer_size: "" when empty, never the "did not fit" error.
  return Value(Bytes{s.request.body});  // set_raw_body and set_body change it
}

Value get_body(KongState& s, const Array& args) {
  const Value& mimetype = arg(args, 0);
  // The mimetype argument wins over Content-Type; Lua treats a non-string
  // truthy argument as given, so only nil and false fall back.
  std::optional<std::string> content_type;
  if (mimetype.is_text() || mimetype.is_number())
    content_type = lua_tostring(mimetype);  // lower() takes numbers as strings
  else if (mimetype.is_nil() || (mimetype.is_bool() && !mimetype.as_bool()))
    content_type = kong_get_header(s.request.headers, "Content-Type");
  else
    throw LuaError{"bad argument #1 to 'lower' (string expected, got " +
                   std::string(lua_type(mimetype)) + ")"};
  // Over MsgPack only the first value travels: a soft error arrives as nil.
  auto parsed = parse_body(content_type, arg(args, 1), s.request.body);
  if (parsed.truncated)
    truncated_notice(s, "post args");  // ngx.req.get_post_args
  return std::move(parsed.value);
}

}  // namespace

void register_request_body(Emulation& e) {
  using enum protocol::MethodId;
  e.add(request_get_raw_body, get_raw_body);
  e.add(request_get_body, get_body);
}

}  // namespace kong::mock
