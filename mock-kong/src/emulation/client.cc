// kong.client: the downstream connection (the case's `client`) and the
// consumer that authenticated (ngx.ctx.authenticated_*), as kong/pdk/client.lua.
#include <algorithm>
#include <cctype>
#include <regex>

#include "emulation/connection.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

bool truthy(const Value& v) {
  return !v.is_nil() && !(v.is_bool() && !v.as_bool());
}

bool table_or_nil(const Value& v) {
  const auto t = lua_type(v);
  return t == "table" || t == "nil";
}

// kong.tools.uuid.is_valid_uuid: 36 characters, hex groups 8-4-4-4-12, any case.
bool is_valid_uuid(std::string_view s) {
  static const std::regex uuid(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return s.size() == 36 && std::regex_match(s.begin(), s.end(), uuid);
}

Value authenticate(KongState& s, const Array& args) {
  const Value& consumer = arg(args, 0);
  const Value& credential = arg(args, 1);
  if (!table_or_nil(consumer))
    throw LuaError{"consumer must be a table or nil"};
  if (!table_or_nil(credential))
    throw LuaError{"credential must be a table or nil"};
  if (consumer.is_nil() && credential.is_nil())
    throw LuaError{"either credential or consumer must be provided"};
  // Both are overwritten: a nil argument clears what an earlier call set.
  s.consumer = consumer;
  s.credential = credential;
  return Value{};
}

Value get_consumer(KongState& s, const Array&) {
  return s.consumer;
}

Value get_credential(KongState& s, const Array&) {
  return s.credential;
}

Value get_ip(KongState& s, const Array&) {
  require_request_context(s);  // ngx.var.realip_remote_addr
  return Value(s.client_ip);
}

Value get_port(KongState& s, const Array&) {
  require_request_context(s);
  return Value(s.client_port);
}

Value get_forwarded_ip(KongState& s, const Array&) {
  require_request_context(s);  // ngx.var.remote_addr
  return Value(forwarded_addr(s).ip);
}

Value get_forwarded_port(KongState& s, const Array&) {
  require_request_context(s);
  // A forwarded address without a port leaves $remote_port empty: tonumber("") is nil.
  const auto port = forwarded_addr(s).port;
  return port ? Value(*port) : Value{};
}

Value get_protocol(KongState& s, const Array& args) {
  s.soft_error.clear();
  if (!s.route.is_object()) {
    s.soft_error = "No active route found";
    return Value{};
  }
  // Kong's route entities always carry protocols; {"http", "https"} by default.
  const auto it = s.route.find("protocols");
  const nlohmann::json protocols =
      it != s.route.end() && it->is_array() ? *it : nlohmann::json::array({"http", "https"});
  if (protocols.size() == 1)
    return protocol::json_to_value(protocols[0]);
  if (s.subsystem == "http") {
    require_request_context(s);
    const bool trusted = ip_is_trusted(*s.kong, s.client_ip);
    // kong.tools.http.check_https
    if (s.url.scheme == "https")
      return Value("https");
    if (!truthy(arg(args, 0)) || !trusted)
      return Value("http");
    const auto proto = s.request.headers.all("x-forwarded-proto");
    if (proto.size() > 1) {
      s.soft_error = "Only one X-Forwarded-Proto header allowed";
      return Value{};
    }
    return Value(!proto.empty() && lower(proto[0]) == "https" ? "https" : "http");
  }
  const bool tls = s.service.is_object() && s.service.value("protocol", "") == "tls";
  return Value(tls ? "tls" : "tcp");
}

std::optional<nlohmann::json> find_consumer(const KongState& s, const char* field,
                                            std::string_view value) {
  for (const auto& consumer : s.kong->consumers) {
    const auto it = consumer.find(field);
    if (it != consumer.end() && it->is_string() && it->get<std::string>() == value)
      return consumer;
  }
  return std::nullopt;
}

Value load_consumer(KongState& s, const Array& args) {
  const Value& id = arg(args, 0);
  const bool by_username = truthy(arg(args, 1));
  if (!id.is_text())
    throw LuaError{"consumer_id must be a string"};
  const bool uuid = is_valid_uuid(id.text());
  if (!uuid && !by_username)
    throw LuaError{"cannot load a consumer with an id that is not a uuid"};
  if (uuid) {
    if (auto found = find_consumer(s, "id", id.text()))
      return protocol::json_to_value(*found);
  }
  if (by_username) {
    if (auto found = find_consumer(s, "username", id.text()))
      return protocol::json_to_value(*found);
  }
  return Value{};
}

}  // namespace

void register_client(Emulation& e) {
  using enum protocol::MethodId;
  e.add(client_authenticate, authenticate);
  e.add(client_get_consumer, get_consumer);
  e.add(client_get_credential, get_credential);
  e.add(client_get_forwarded_ip, get_forwarded_ip);
  e.add(client_get_forwarded_port, get_forwarded_port);
  e.add(client_get_ip, get_ip);
  e.add(client_get_port, get_port);
  e.add(client_get_protocol, get_protocol);
  e.add(client_load_consumer, load_consumer);
}

}  // namespace kong::mock
