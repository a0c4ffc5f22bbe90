#include "kong/mock/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "kong/protocol/ascii.h"

namespace kong::mock {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = protocol::ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  const auto colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return Error{"expected an absolute URL like http://host/path, got \"" + std::string(text) +
                 "\""};
  }
  url.scheme = lower(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") {
    return Error{"expected scheme http or https, got \"" + url.scheme + "\""};
  }
  std::string_view rest = text.substr(colon + 3);
  // A client keeps the #fragment to itself: nginx never sees it.
  rest = rest.substr(0, rest.find('#'));
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  rest = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.empty())
    return Error{"URL \"" + std::string(text) + "\" has no host"};
  if (const auto at = authority.find('@'); at != std::string_view::npos) {
    return Error{"\"" + std::string(authority.substr(0, at + 1)) +
                 "\" is not part of a request nginx receives: send credentials in an "
                 "Authorization header"};
  }

  std::string_view port_text;
  if (authority.front() == '[') {  // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return Error{"unterminated IPv6 address in URL"};
    url.host = lower(authority.substr(1, close - 1));
    in6_addr address{};
    if (::inet_pton(AF_INET6, url.host.c_str(), &address) != 1)
      return Error{"expected an IPv6 address between [ and ], got \"" + url.host + "\""};
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return Error{"unexpected text after IPv6 address in URL"};
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto port_colon = authority.rfind(':');
    url.host = lower(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos)
      port_text = authority.substr(port_colon + 1);
    // What nginx refuses in a Host (ngx_http_validate_host), and what
    // cannot be one.
    const bool bad =
        url.host.empty() || url.host.front() == '.' ||
        std::any_of(url.host.begin(), url.host.end(), [](unsigned char ch) {
          return ch <= ' ' || ch == '/' || ch == '\\' || ch == 0x7f || ch == '[' || ch == ']';
        });
    if (bad) {
      return Error{"expected a host name or address, got \"" +
                   std::string(authority.substr(0, port_colon)) + "\""};
    }
  }
  if (!port_text.empty()) {
    std::int64_t port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return Error{"expected a port between 1 and 65535, got \"" + std::string(port_text) + "\""};
    }
    url.port = port;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }

  const auto q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (url.path.empty())
    url.path = "/";
  if (q != std::string_view::npos) {
    url.raw_query = std::string(rest.substr(q + 1));
    url.has_query = true;
  }
  return url;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<QueryArg> parse_query(std::string_view raw_query) {
  std::vector<QueryArg> args;
  while (!raw_query.empty()) {
    const auto amp = raw_query.find('&');
    std::string_view piece = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (piece.empty())
      continue;
    const auto eq = piece.find('=');
    if (eq == 0)
      continue;  // "=x": no name, nginx drops it
    QueryArg arg;
    arg.name = url_decode(piece.substr(0, eq), true);
    if (eq != std::string_view::npos)
      arg.value = url_decode(piece.substr(eq + 1), true);
    args.push_back(std::move(arg));
  }
  return args;
}

std::string kong_normalize(std::string_view raw) {
  if (raw.empty() || raw == "/")
    return std::string(raw);
  constexpr std::string_view kReserved = "!*'();:@&=+$,/?%#[]";
  std::string uri;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned hex = 0;
    if (raw[i] == '%' && i + 2 < raw.size() &&
        std::from_chars(raw.data() + i + 1, raw.data() + i + 3, hex, 16).ptr ==
            raw.data() + i + 3) {
      const char c = static_cast<char>(hex);
      if (kReserved.find(c) == std::string_view::npos) {
        uri.push_back(c);
      } else {
        uri += '%';
        uri += static_cast<char>(std::toupper(static_cast<unsigned char>(raw[i + 1])));
        uri += static_cast<char>(std::toupper(static_cast<unsigned char>(raw[i + 2])));
      }
      i += 2;
      continue;
    }
    uri.push_back(raw[i]);
  }
  std::vector<std::string> out;
  std::string_view rest = uri;
  while (!rest.empty()) {
    if (rest == "/.") {
      rest = "/";
    } else if (rest == "/..") {
      rest = "/";
      if (!out.empty())
        out.pop_back();
    } else if (rest == "." || rest == "..") {
      rest = "";
    } else if (rest.starts_with("../")) {
      rest.remove_prefix(3);
    } else if (rest.starts_with("./")) {
      rest.remove_prefix(2);
    } else if (rest.starts_with("/./")) {
      rest.remove_prefix(2);
    } else if (rest.starts_with("/../")) {
      rest.remove_prefix(3);
      if (!out.empty())
        out.pop_back();
    } else if (rest.starts_with("//")) {
      rest.remove_prefix(1);
    } else {
      const auto slash = rest.find('/', 1);
      out.emplace_back(rest.substr(0, slash));
      rest = slash == rest.npos ? std::string_view() : rest.substr(slash);
    }
  }
  std::string joined;
  for (const auto& seg : out)
    joined += seg;
  return joined;
}

std::string kong_uri_escape(std::string_view path) {
  constexpr std::string_view kKept = "!#$&'()*+,/:;=?@[]-_.~%";
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string escaped;
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || kKept.find(c) != std::string_view::npos) {
      escaped.push_back(c);
    } else {
      escaped += '%';
      escaped += kHex[u >> 4];
      escaped += kHex[u & 15];
    }
  }
  return escaped;
}

std::string nginx_escape_args(std::string_view args) {
  // ngx_http_lua_escape_args: control bytes, space and DEL only.
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : args) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> nginx_uri(std::string_view raw_path) {
  // ngx_http_parse_complex_uri with merge_slashes on: %XX is decoded first
  // and then counts as what it encodes (%2F a slash, %2E a dot).
  std::string decoded;
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    if (raw_path[i] != '%') {
      decoded.push_back(raw_path[i]);
      continue;
    }
    if (i + 2 >= raw_path.size() || hex_digit(raw_path[i + 1]) < 0 ||
        hex_digit(raw_path[i + 2]) < 0)
      return std::nullopt;
    const char c = static_cast<char>(hex_digit(raw_path[i + 1]) * 16 + hex_digit(raw_path[i + 2]));
    if (c == '\0')
      return std::nullopt;
    decoded.push_back(c);
    i += 2;
  }
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  std::string_view rest = decoded;
  if (rest.starts_with('/'))
    rest.remove_prefix(1);
  for (;;) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    trailing_slash = false;
    if (part.empty() || part == ".") {
      trailing_slash = last;
    } else if (part == "..") {
      if (kept.empty())
        return std::nullopt;  // above the root
      kept.pop_back();
      trailing_slash = last;
    } else {
      kept.push_back(part);
    }
    if (last)
      break;
    rest.remove_prefix(slash + 1);
  }
  std::string uri;
  for (const auto part : kept) {
    uri += '/';
    uri += part;
  }
  if (uri.empty() || trailing_slash)
    uri += '/';
  return uri;
}

}  // namespace kong::mock
