#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kong/mock/kong_state.h"

// The downstream connection as nginx sees it, shared by kong.client, kong.ip,
// kong.nginx and kong.log.serialize.
namespace kong::mock {

/// kong.ip.is_trusted: `address` against the fixture's trusted_ips (none:
/// false; both 0.0.0.0/0 and ::/0: true; an unparsable address: false).
bool ip_is_trusted(const KongSettings& kong, std::string_view address);

/// nginx's $remote_addr / $remote_port after the realip module: when the
/// client is trusted and sends real_ip_header, the address (and port, if the
/// header gives one: else none) it names; otherwise the client's own.
struct ForwardedAddr {
  std::string ip;
  std::optional<std::int64_t> port;
};
ForwardedAddr forwarded_addr(const KongState& s);

/// The request came over TLS: an https URL.
bool is_tls(const KongState& s);

/// ngx.ctx.CLIENT_VERIFY_OVERRIDE when set (kong.client.tls.set_client_verify),
/// else $ssl_client_verify: what the log serializer reports.
std::string client_verify(const KongState& s);

/// $ssl_client_verify: the case's client.tls.client_verify, else "SUCCESS"
/// with a client certificate chain and "NONE" without.
std::string ssl_client_verify(const KongState& s);

/// nginx variable `name` ($host, $http_x_id, $arg_a, ...), or nullopt when
/// unset; the case's nginx_vars override the computed ones.
std::optional<std::string> nginx_var(const KongState& s, std::string_view name);

/// Raises OpenResty's "API disabled in the current context": the log
/// handler runs in a timer, where ngx.var and ngx.req do not exist.
void require_request_context(const KongState& s);

/// Raises lua-resty-core's "no request found" (ngx.ssl and resty.kong.tls in
/// the log timer).
void require_ssl_request(const KongState& s);

}  // namespace kong::mock
