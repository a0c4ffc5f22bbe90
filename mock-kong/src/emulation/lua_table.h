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

/// Arguments as ngx_lua reads them, and whether the limit cut them short
/// ("truncated", which Kong logs at notice level: globalpatches.lua).
struct DecodedArgs {
  protocol::Map table;
  bool truncated = false;
};

/// ngx.req.get_uri_args(max_args).
DecodedArgs decode_uri_args(std::string_view query, std::int64_t max_args);

/// ngx.req.get_post_args(max_args) and ngx.decode_args(text, max_args), which
/// count empty pieces too.
DecodedArgs decode_form_args(std::string_view body, std::int64_t max_args);

/// Every argument of a query string, without a limit.
protocol::Map decode_args(std::string_view query);

}  // namespace kong::mock
