// kong.service.response: the upstream's answer, as
// kong/pdk/service/response.lua. With buffered proxying (a response handler
// or enable_buffering) Kong keeps the upstream's status, headers and body in
// ngx.ctx, which the log timer sees too; otherwise these read nginx
// variables, which the log timer cannot.
#include "emulation/body.h"
#include "emulation/connection.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// ctx.buffered_status / buffered_headers / buffered_body exist.
const FixtureUpstream* buffered(const KongState& s) {
  return s.buffered_proxying && s.upstream_response ? &*s.upstream_response : nullptr;
}

void require_buffering(const KongState& s) {
  if (!s.buffered_proxying) {
    throw LuaError{
        "service body is only available with buffered proxying (see: "
        "kong.service.request.enable_buffering function)"};
  }
}

std::optional<std::string> upstream_header(const KongState& s, std::string_view name) {
  if (!s.upstream_response)
    return std::nullopt;
  return find_header(Headers(s.upstream_response->headers), name);
}

Value get_status(KongState& s, const Array&) {
  if (const auto* up = buffered(s))
    return Value(std::int64_t{up->status});
  require_request_context(s);  // $upstream_status
  return s.upstream_response ? Value(std::int64_t{s.upstream_response->status}) : Value{};
}

Value get_headers(KongState& s, const Array& args) {
  const Value& max = arg(args, 0);
  if (!max.is_nil())
    checked_limit(max, "max_headers");
  // Buffered: a lookup-only proxy with no keys of its own, so it travels as
  // an empty map (kong-pdk-reference.md, "Buffered proxying").
  if (s.buffered_proxying)
    return Value(Map{});
  require_request_context(s);  // ngx.resp.get_headers()
  // Unbuffered: the downstream header table itself goes out, every header.
  return limited_multimap(s, response_header_lines(s.response.headers), max, "response headers");
}

Value get_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"name must be a string"};
  if (!s.buffered_proxying)
    require_request_context(s);
  auto v = upstream_header(s, name.text());
  return v ? Value(*v) : Value{};
}

Value get_raw_body(KongState& s, const Array&) {
  require_buffering(s);
  const auto* up = buffered(s);
  return Value(Bytes{up ? up->body : std::string()});
}

Value get_body(KongState& s, const Array& args) {
  require_buffering(s);
  const Value& mimetype = arg(args, 0);
  std::optional<std::string> content_type;
  if (mimetype.is_text())
    content_type = std::string(mimetype.text());
  else
    content_type = upstream_header(s, "Content-Type");
  const auto* up = buffered(s);
  // Over MsgPack only the first value travels: a soft error arrives as nil.
  auto parsed = parse_body(content_type, arg(args, 1), up ? up->body : std::string());
  if (parsed.truncated)
    truncated_notice(s, "decode args");  // ngx.decode_args
  return std::move(parsed.value);
}

}  // namespace

void register_service_response(Emulation& e) {
  using enum protocol::MethodId;
  e.add(service_response_get_status, get_status);
  e.add(service_response_get_headers, get_headers);
  e.add(service_response_get_header, get_header);
  e.add(service_response_get_raw_body, get_raw_body);
  e.add(service_response_get_body, get_body);
}

}  // namespace kong::mock
