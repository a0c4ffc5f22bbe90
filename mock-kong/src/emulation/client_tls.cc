// kong.client.tls: the client's TLS session (the case's `client.tls`), as
// kong/pdk/client/tls.lua over resty.kong.tls.
#include <fmt/format.h>

#include "emulation/connection.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// The certificate phase runs only for TLS connections, so the call succeeds.
Value disable_session_reuse(KongState&, const Array&) {
  return Value(true);
}

// Kong passes its `ca_certs` cdata straight to the C module: without one the
// request succeeds (true); nothing else a plugin can send over RPC is one, so
// the call fails: nil (the error is dropped).
Value request_client_certificate(KongState&, const Array& args) {
  return arg(args, 0).is_nil() ? Value(true) : Value{};
}

// resty.kong.tls checks ngx.get_phase() first, and the log handler runs in a
// timer.
Value get_full_client_certificate_chain(KongState& s, const Array&) {
  require_request_context(s);
  // nil, and resty.kong.tls's error without TLS; plain nil without a client
  // certificate.
  s.soft_error = is_tls(s) ? "" : "connection is not TLS or TLS support for Nginx not enabled";
  if (!is_tls(s) || !s.tls.certificate_chain)
    return Value{};
  return Value(*s.tls.certificate_chain);
}

Value set_client_verify(KongState& s, const Array& args) {
  const Value& v = arg(args, 0);
  if (!v.is_text())
    throw LuaError{"assertion failed!"};
  const std::string_view text = v.text();
  if (text != "SUCCESS" && text != "NONE" && !text.starts_with("FAILED:")) {
    throw LuaError{
        fmt::format("unknown client verify value: {} accepted values are: \"SUCCESS\", \"NONE\" or "
                    "\"FAILED:<reason>\"",
                    text)};
  }
  s.client_verify_override = std::string(text);
  return Value{};
}

}  // namespace

std::string ssl_client_verify(const KongState& s) {
  if (s.tls.client_verify)
    return *s.tls.client_verify;
  return s.tls.certificate_chain ? "SUCCESS" : "NONE";
}

std::string client_verify(const KongState& s) {
  return s.client_verify_override ? *s.client_verify_override : ssl_client_verify(s);
}

void register_client_tls(Emulation& e) {
  using enum protocol::MethodId;
  e.add(client_tls_disable_session_reuse, disable_session_reuse);
  e.add(client_tls_get_full_client_certificate_chain, get_full_client_certificate_chain);
  e.add(client_tls_request_client_certificate, request_client_certificate);
  e.add(client_tls_set_client_verify, set_client_verify);
}

}  // namespace kong::mock
