#pragma once

#include "kong/mock/kong_state.h"

// What Kong's runloop (kong/runloop/handler.lua) does around the plugins'
// access handlers, on the state the emulation answers from.
namespace kong::mock {

/// runloop.access.before: the router matches the normalised path, then sets
/// $upstream_scheme (the service's protocol), $upstream_uri (strip_path
/// applied, joined with the service's path as Kong's v0 path handling does,
/// escaped; no query yet), $upstream_host (the client's Host with
/// preserve_host) and $upstream_x_forwarded_prefix, and saves ngx.ctx.host.
/// What a plugin set for them in rewrite is overwritten.
void access_before(KongState& s);

/// runloop.access.after, when no plugin ended the request: the query goes on
/// $upstream_uri, and unless a Host was chosen (preserve_host, a Host header,
/// set_target) the balancer's host and port become $upstream_host.
void access_after(KongState& s);

/// Kong.balancer (kong/init.lua), before the upstream is reached. When the
/// service's host is an IP address, balancer_data.type says "ipv4"/"ipv6"
/// whatever a plugin set later (kong/runloop/handler.lua, balancer_prepare),
/// so a host name from set_target or set_upstream is handed to nginx as an
/// address, which it refuses ("no host allowed"): Kong logs it and ends the
/// request with 500. False then.
bool balance(KongState& s);

/// Merges into `client`, the headers plugins set, those of the upstream's
/// answer. Unbuffered, nginx appends the upstream's lines to those plugins
/// set (its Content-Type and Content-Length replace theirs); `buffered`,
/// Kong sets the upstream's headers over them (kong/init.lua,
/// kong.response.set_headers).
void merge_upstream_headers(Headers& client, const HeaderList& upstream, bool buffered);

/// Kong's header_filter (kong/runloop/handler.lua) with the default
/// `headers` setting (server_tokens, latency_tokens, X-Kong-Request-Id):
/// Via and the upstream and proxy latencies when proxied, else the response
/// latency; Server; X-Kong-Request-Id. The latencies are mock-kong's fixed
/// timings, those kong.log.serialize reports.
void header_filter(KongState& s);

}  // namespace kong::mock
