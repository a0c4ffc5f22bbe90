#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/protocol/value.h"

// Bodies and query strings as Kong's Lua reads and writes them: shared by
// kong.request.get_body, kong.service.response.get_body and the
// kong.service.request setters.
namespace kong::mock {

/// What get_body returns: the parsed table (nil on a soft error), the error,
/// and the mime type used. Over MsgPack only `value` reaches the plugin.
struct ParsedBody {
  protocol::Value value;
  std::string error;
  std::string mime;
  /// A form body had more than max_args arguments: Kong logs a notice.
  bool truncated = false;
};

/// Kong's get_body: `content_type` is the mimetype argument or the
/// Content-Type header (nullopt: "missing content type"); form bodies parse
/// at most `max_args` arguments (nil: 100), checked with Kong's texts.
ParsedBody parse_body(const std::optional<std::string>& content_type,
                      const protocol::Value& max_args, std::string_view body);

/// A decoded JSON value as Lua holds it after cjson.decode and as Kong's
/// MessagePack sends it: null is nil, an empty object or array an empty
/// array, integral numbers integers.
protocol::Value lua_from_json(const nlohmann::json& j);

/// cjson.encode: an empty table is {}, "/" is escaped, numbers as %.14g.
/// Raises Kong's texts for values JSON cannot hold.
std::string cjson_encode(const protocol::Value& v);

/// kong.service.request's make_ordered_args: every key's ngx.encode_args
/// piece, sorted, joined with "&". Raises "arg keys must be strings" and
/// ngx's "attempt to use <type> as query arg value".
std::string encode_ordered_args(const protocol::Value& args);

/// ngx.escape_uri for a component: all but A-Z a-z 0-9 - . _ ~ as %XX.
std::string escape_uri_component(std::string_view s);

}  // namespace kong::mock
