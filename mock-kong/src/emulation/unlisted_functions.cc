// Kong functions outside the method table. Kong's RPC bridge resolves a
// method name by walking the `kong` table (kong/runloop/plugin_servers/rpc/
// util.lua, index_table), so a plugin reaches every kong.* function, not
// only those the PDKs declare. The ones below are in Kong's Lua PDK but in no
// external PDK: what a plugin can send them over RPC (no function, no cdata,
// no OpenSSL object) makes each one raise, which is what a plugin that calls
// one by name meets in Kong.
#include "emulation/unlisted_functions.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;
namespace phases = protocol::phases;

// kong/pdk/response.lua: a body_filter function, and plugin servers have no
// body_filter phase, so its phase check raises first. (In body_filter it
// would replace the chunk, ngx.arg[1], and answer nothing.)
Value set_raw_body(KongState&, const Array& args) {
  if (!arg(args, 0).is_text())
    throw LuaError{"body must be a string"};
  return Value{};
}

// kong/pdk/service.lua: the certificate chain and key are cdata that
// resty.openssl parsed.
Value set_tls_cert_key(KongState&, const Array&) {
  throw LuaError{"chain must be a parsed cdata object"};
}

// kong/pdk/service.lua, then resty.kong.tls's set_upstream_ssl_trusted_store
// (lua-kong-nginx-module 0.18.0) for a table that is not an x509.store.
Value set_tls_verify_store(KongState&, const Array& args) {
  const Value& store = arg(args, 0);
  if (lua_type(store) != "table")
    throw LuaError{"argument must be a resty.openssl.x509.store object"};
  throw LuaError{"store expects a resty.openssl.x509.store object but found table"};
}

// kong/pdk/vault.lua, try: it calls its first argument, which over RPC is
// never a function.
Value vault_try(KongState&, const Array& args) {
  throw LuaError{
      fmt::format("attempt to call local 'callback' (a {} value)", lua_type(arg(args, 0)))};
}

// Sorted by name, for the binary search.
constexpr std::array kUnlisted = {
    UnlistedFunction{"kong.response.set_raw_body", phases::body_filter_only, set_raw_body},
    UnlistedFunction{"kong.service.set_tls_cert_key", phases::service_target, set_tls_cert_key},
    UnlistedFunction{"kong.service.set_tls_verify_store", phases::service_target,
                     set_tls_verify_store},
    UnlistedFunction{"kong.vault.try", phases::any, vault_try},
};
static_assert(std::ranges::is_sorted(kUnlisted, {}, &UnlistedFunction::name));

}  // namespace

const UnlistedFunction* find_unlisted_function(std::string_view name) {
  const auto it = std::ranges::lower_bound(kUnlisted, name, {}, &UnlistedFunction::name);
  return it != kUnlisted.end() && it->name == name ? &*it : nullptr;
}

bool loaded_in(std::string_view subsystem, std::string_view name) {
  // kong/pdk/init.lua adds client.tls to the PDK's modules in http only.
  return subsystem == "http" || !name.starts_with("kong.client.tls.");
}

}  // namespace kong::mock
