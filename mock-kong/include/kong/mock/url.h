#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kong/result.h"

namespace kong::mock {

/// An absolute request URL, split as nginx sees it.
struct Url {
  std::string scheme;      // lower case
  std::string host;        // lower case, without brackets for IPv6
  std::int64_t port = 0;   // the scheme's default when not given
  std::string path;        // as sent, "/" when empty
  std::string raw_query;   // after "?", not decoded; "" when none
  bool has_query = false;  // the URL has a "?", even an empty query ("/p?")
};

/// ASCII lower case: schemes, hosts and header names.
std::string lower(std::string_view s);

/// Without the spaces and tabs at either end: header values and their parts.
std::string_view trim(std::string_view s);

/// Parses "https://Example.com:8443/v1/x?a=1". The error names the problem.
Result<Url> parse_url(std::string_view text);

/// One query argument: a flag without "=" has no value.
struct QueryArg {
  std::string name;
  std::optional<std::string> value;
};

/// Splits and decodes a query string as nginx's ngx.req.get_uri_args does:
/// "+" is a space, %XX decoded, "a=" is an empty value, "a" a flag, empty
/// pieces skipped. Order is kept.
std::vector<QueryArg> parse_query(std::string_view raw_query);

/// kong.tools.uri.normalize(path, true), which kong.request.get_path and
/// Kong's router use: percent-decodes all but reserved characters (whose
/// escapes are upper-cased), resolves dot segments, merges repeated slashes.
std::string kong_normalize(std::string_view raw_path);

/// nginx's $uri for a raw path: %XX decoded (then counting as what it
/// encodes), repeated slashes merged, dot segments resolved. nullopt where
/// nginx answers 400 before any plugin runs: a bad escape, %00, or ".." above
/// the root.
std::optional<std::string> nginx_uri(std::string_view raw_path);

/// kong.tools.uri.escape, which $upstream_uri goes through: every byte
/// outside A-Z a-z 0-9 and !#$&'()*+,/:;=?@[]-_.~% as upper-case %XX.
std::string kong_uri_escape(std::string_view path);

/// What ngx.req.set_uri_args does to a query string: control bytes, space
/// and DEL as upper-case %XX, nothing else ("a b" -> "a%20b").
std::string nginx_escape_args(std::string_view args);

/// Decodes %XX escapes (and "+" as space when `plus_is_space`).
std::string url_decode(std::string_view s, bool plus_is_space);

}  // namespace kong::mock
