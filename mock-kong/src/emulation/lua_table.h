#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "kong/protocol/value.h"

/// Lua tables as ngx_lua builds them for headers and arguments
/// (ngx.req.get_headers, ngx.req.get_uri_args, ngx.decode_args,
/// ngx.req.get_post_args): a name's one value as itself, a repeated name an
/// array of its values in order, a flag without a value `true`. The
/// emulation answers in this shape, as Kong's Lua functions return it; each
/// protocol then encodes it as Kong does (MsgPack:1 after fix_mmap).
namespace kong::mock {

/// Adds `value` under `name`.
void add_to_lua_table(protocol::Map& table, std::string_view name, protocol::Value value);

/// The first `max_args` arguments of a query string or form body.
protocol::Map decode_args(std::string_view query,
                          std::int64_t max_args = std::numeric_limits<std::int64_t>::max());

}  // namespace kong::mock
