// kong.response: the response the client gets, as kong/pdk/response.lua.
// In the log phase the getters are Kong's exposed_api overrides, reading the
// status and headers saved when the log phase started.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kong/protocol/ascii.h"

#include "emulation/body.h"
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

constexpr std::string_view kJsonType = "application/json; charset=utf-8";

std::int64_t checked_status(const Value& status, std::int64_t min) {
  if (!status.is_number())
    throw LuaError{"code must be a number"};
  const double code = status.as_double();
  if (code < static_cast<double>(min) || code > 599)
    throw LuaError{fmt::format("code must be a number between {} and 599", min)};
  return static_cast<std::int64_t>(code);
}

// lua_transform_underscores_in_response_headers, on by default: ngx.header
// names are sent, and looked up, with "-" for "_" (ngx_http_lua_headers.c).
std::string response_header_name(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

// validate_headers: every name and value checked before any is set.
void check_headers(const Value& table) {
  if (table.is_map()) {
    for (const auto& [name, value] : table.as_map()) {
      header_name(name);
      header_values(name, value, kHeaderTableTypes);
    }
  }
}

// Each header of a table argument replaces that header (set_headers, exit);
// Transfer-Encoding is ignored with Kong's warning.
void set_all(KongState& s, Headers& headers, const Value& table) {
  if (!table.is_map())
    return;  // Kong sends {} as []
  for (const auto& [name, value] : table.as_map()) {
    const std::string n = response_header_name(header_name(name));
    if (protocol::equals_ignoring_case(n, "transfer-encoding")) {
      s.log.push_back({"warn", "manually setting Transfer-Encoding. Ignored.", s.phase});
      continue;
    }
    headers.set(n, header_values(name, value, kHeaderTableTypes));
  }
}

Value get_status(KongState& s, const Array&) {
  return Value(s.response.status);  // ngx.status (saved for log)
}

Value get_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (s.phase == Phase::log) {
    // exposed_api: saved.response_headers[name], the ngx.resp.get_headers()
    // table saved when the log timer was armed, whose metatable lower-cases
    // the key (a nil name raises string.lower's error); first value.
    Value v = header_table_get(response_header_lines(s.response.headers), name);
    return v.is_array() ? v.as_array().front() : v;
  }
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  auto v = find_header(s.response.headers, name.text());
  return v ? Value(*v) : Value{};
}

Value get_headers(KongState& s, const Array& args) {
  // In log, exposed_api returns the saved ngx.resp.get_headers(): max_headers
  // ignored, its notice logged when it was saved.
  if (s.phase == Phase::log)
    return first_header_lines(response_header_lines(s.response.headers), kNgxLuaMaxEntries)
        .to_lua_table();
  return limited_multimap(s, response_header_lines(s.response.headers), arg(args, 0),
                          "response headers");
}

Value get_source(KongState& s, const Array&) {
  return Value(s.response.source);
}

Value get_raw_body(KongState&, const Array&) {
  return Value{};  // body_filter only: the phase check refuses every external call
}

Value set_status(KongState& s, const Array& args) {
  s.response.status = checked_status(arg(args, 0), 100);
  return Value{};
}

Value set_header(KongState& s, const Array& args) {
  const std::string name = response_header_name(header_name(arg(args, 0)));
  auto values = header_values(arg(args, 0), arg(args, 1), kSetHeaderTypes);
  if (protocol::equals_ignoring_case(name, "transfer-encoding")) {
    s.log.push_back({"warn", "manually setting Transfer-Encoding. Ignored.", s.phase});
    return Value{};
  }
  s.response.headers.set(name, std::move(values));
  return Value{};
}

Value add_header(KongState& s, const Array& args) {
  const std::string name = response_header_name(header_name(arg(args, 0)));
  for (auto& v : header_values(arg(args, 0), arg(args, 1), kSetHeaderTypes)) {
    s.response.headers.add(name, std::move(v));
  }
  return Value{};
}

Value clear_header(KongState& s, const Array& args) {
  const Value& name = arg(args, 0);
  if (!name.is_text())
    throw LuaError{"header name must be a string"};
  s.response.headers.clear(response_header_name(std::string(name.text())));
  return Value{};
}

Value set_headers(KongState& s, const Array& args) {
  const Value& headers = arg(args, 0);
  if (lua_type(headers) != "table")
    throw LuaError{"headers must be a table"};
  check_headers(headers);
  set_all(s, s.response.headers, headers);
  return Value{};
}

// Kong's send(): the headers on top of those already set, Content-Length
// from the body; the request ends with this response.
void send(KongState& s, std::int64_t status, std::string body, Headers headers,
          std::string source) {
  headers.set("Content-Length", {std::to_string(body.size())});
  s.response.status = status;
  s.response.headers = std::move(headers);
  s.response.body = std::move(body);
  s.response.source = std::move(source);
  s.exited = true;
}

// The statuses Kong's nginx template sends to its own error handler
// (kong/templates/nginx_kong.lua error_page; kong/error_handlers.lua).
constexpr std::array<std::int64_t, 14> kKongErrorPages = {400, 404, 405, 408, 411, 412, 413,
                                                          414, 417, 494, 500, 502, 503, 504};

// kong/error_handlers.lua's BODIES are these same texts.
std::string default_message(std::int64_t status);
std::string response_type(const std::vector<std::string>& accept_lines);
std::optional<std::string> error_body(std::string_view type, std::string_view message,
                                      std::string_view request_id);

// kong.response.exit without a body: Content-Length 0, then ngx.exit(status).
// From 300 on nginx answers with a page of its own: Kong's error handler for
// the statuses of its error_page list, nginx's built-in page for the others
// that have one (ngx_http_special_response.c), nothing for the rest.
void exit_without_body(KongState& s, std::int64_t status, Headers headers) {
  const bool kong_page =
      std::find(kKongErrorPages.begin(), kKongErrorPages.end(), status) != kKongErrorPages.end();
  if (kong_page) {
    // The handler reads Accept, else Content-Type, else error_default_type
    // (text/plain), and answers with kong.response.exit, as an error.
    std::string accept =
        kong_get_header(s.request.headers, "Accept")
            .value_or(kong_get_header(s.request.headers, "Content-Type").value_or("text/plain"));
    const std::string type = response_type({accept});
    const auto body = error_body(type, default_message(status), s.request_id);
    headers.set("Content-Type", {type});
    send(s, status == 494 ? 400 : status, body.value_or(""), std::move(headers), "error");
    return;
  }
  std::string page;
  if (status >= 300) {
    if (auto nginx_page = nginx_error_page(status)) {
      page = std::move(*nginx_page);
      headers.set("Content-Type", {"text/html"});
    }
  }
  send(s, status, std::move(page), std::move(headers), "exit");
}

Value exit(KongState& s, const Array& args) {
  if (s.subsystem == "stream")
    return stream_exit(s, args);
  const std::int64_t status = checked_status(arg(args, 0), 100);
  const Value& body = arg(args, 1);
  const Value& headers = arg(args, 2);
  if (lua_type(body) != "nil" && lua_type(body) != "string" && lua_type(body) != "table")
    throw LuaError{"body must be a nil, string or table"};
  if (lua_type(headers) != "nil" && lua_type(headers) != "table")
    throw LuaError{"headers must be a nil or table"};
  check_headers(headers);
  Headers out = s.response.headers;
  set_all(s, out, headers);
  if (body.is_nil()) {
    exit_without_body(s, status, std::move(out));
    return Value{};
  }
  std::string text;
  if (body.is_text()) {
    text = std::string(body.text());
  } else {
    text = cjson_encode(body);  // a table body is JSON
    if (!out.contains("content-type"))
      out.set("Content-Type", {std::string(kJsonType)});
  }
  send(s, status, std::move(text), std::move(out), "exit");
  return Value{};
}

// kong.tools.http.get_mime_type for a media type of an Accept entry: a lookup
// in Kong's MIME_TYPES, case-sensitive ("Text/HTML" is unknown), JSON for
// anything unknown.
std::string mime_type_for(std::string_view media) {
  const auto slash = media.find('/');
  const std::string_view major = media.substr(0, slash);
  const std::string_view minor = media.substr(slash + 1);
  if (minor == "*") {
    if (major == "text")
      return "text/plain; charset=utf-8";
    return std::string(kJsonType);  // "*/*", "application/*" and anything else
  }
  if (media == "text/html")
    return "text/html; charset=utf-8";
  if (media == "text/plain")
    return "text/plain; charset=utf-8";
  if (media == "application/xml")
    return "application/xml; charset=utf-8";
  if (media == "application/grpc")
    return "";
  return std::string(kJsonType);
}

// One Accept entry as Kong's ACCEPT_PATTERN matches it (kong/tools/http.lua,
// PCRE flags "ajoxi": anchored at the start only, case-insensitive): a media
// type, then parameters; the last well-formed q= (1, 1.000, 0, 0.xyz: three
// digits at most) is its quality. nullopt when the media type does not match.
struct AcceptEntry {
  std::string media;
  std::optional<std::string> q;
};

class AcceptScanner {
 public:
  explicit AcceptScanner(std::string_view text) : text_(text) {}

  std::optional<AcceptEntry> entry() {
    AcceptEntry e;
    const auto type = token_or_star();
    if (!type || !eat('/'))
      return std::nullopt;
    const auto subtype = token_or_star();
    if (!subtype)
      return std::nullopt;
    e.media = std::string(*type) + "/" + std::string(*subtype);
    // (?: \s*;\s* q=(...) | \s*;\s* token (?:=[^;]*|) )*
    for (;;) {
      const std::size_t start = pos_;
      if (auto q = quality()) {
        e.q = std::move(q);
        continue;
      }
      pos_ = start;
      if (parameter())
        continue;
      pos_ = start;
      return e;
    }
  }

 private:
  static bool token_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("-!#$&^_+.").find(c) != std::string_view::npos;
  }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool eat_digit(bool zero_only) {
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) &&
        (!zero_only || text_[pos_] == '0')) {
      ++pos_;
      return true;
    }
    return false;
  }
  void spaces() {
    while (pos_ < text_.size() && lua_isspace(text_[pos_]))  // PCRE's \s: the same set
      ++pos_;
  }
  // [a-z0-9][a-z0-9-!#$&^_+.]+ | \*
  std::optional<std::string_view> token_or_star() {
    const std::size_t start = pos_;
    if (pos_ < text_.size() && std::isalnum(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
      while (pos_ < text_.size() && token_char(text_[pos_]))
        ++pos_;
      if (pos_ - start >= 2)
        return text_.substr(start, pos_ - start);
      pos_ = start;
    }
    if (eat('*'))
      return text_.substr(start, 1);
    return std::nullopt;
  }
  bool separator() {
    spaces();
    if (!eat(';'))
      return false;
    spaces();
    return true;
  }
  std::optional<std::string> quality() {
    if (!separator() || !(eat('q') || eat('Q')) || !eat('='))
      return std::nullopt;
    const std::size_t start = pos_;
    const bool one = eat('1');
    if (!one && !eat('0'))
      return std::nullopt;
    if (eat('.')) {
      for (int i = 0; i < 3 && eat_digit(one); ++i) {
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  bool parameter() {
    if (!separator())
      return false;
    const auto name = token_or_star();
    if (!name || *name == "*")
      return false;
    if (eat('=')) {
      while (pos_ < text_.size() && text_[pos_] != ';')
        ++pos_;
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// kong.tools.http.get_response_type: the Accept entry of highest quality
// wins, the first of equals; JSON without one. Several Accept lines are
// joined with ",".
std::string response_type(const std::vector<std::string>& accept_lines) {
  std::string type(kJsonType);
  std::string accept;
  for (const auto& line : accept_lines)
    accept += (accept.empty() ? "" : ",") + line;
  if (accept_lines.empty())
    return type;
  double best = 0;
  std::string_view rest = accept;
  for (bool more = true; more;) {
    const auto comma = rest.find(',');
    more = comma != rest.npos;
    const auto entry = AcceptScanner(trim(rest.substr(0, comma))).entry();
    rest = more ? rest.substr(comma + 1) : std::string_view();
    if (!entry)
      continue;
    const double quality = entry->q ? lua_tonumber(*entry->q).value_or(1) : 1;
    if (quality > best) {
      best = quality;
      type = mime_type_for(entry->media);
    }
  }
  return type;
}

// kong.tools.http's error templates: the message, then $kong_request_id.
std::optional<std::string> error_body(std::string_view type, std::string_view message,
                                      std::string_view request_id) {
  if (type == "application/json" || type == kJsonType)
    return fmt::format("{{\n  \"message\":\"{}\",\n  \"request_id\":\"{}\"\n}}", message,
                       request_id);
  if (type == "text/html" || type == "text/html; charset=utf-8") {
    return fmt::format(
        "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    "
        "<title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>{}.</p>\n    "
        "<p>request_id: {}</p>\n  </body>\n</html>\n",
        message, request_id);
  }
  if (type == "application/xml" || type == "application/xml; charset=utf-8") {
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>{}</message>\n  "
        "<requestid>{}</requestid>\n</error>\n",
        message, request_id);
  }
  if (type == "text/plain" || type == "text/plain; charset=utf-8")
    return fmt::format("{}\nrequest_id: {}\n", message, request_id);
  if (type == "application/grpc" || type.empty())
    return std::string();
  return std::nullopt;
}

std::string default_message(std::int64_t status) {
  static const std::array<std::pair<int, const char*>, 41> kMessages = {{
      {400, "Bad request"},
      {401, "Unauthorized"},
      {402, "Payment required"},
      {403, "Forbidden"},
      {404, "Not found"},
      {405, "Method not allowed"},
      {406, "Not acceptable"},
      {407, "Proxy authentication required"},
      {408, "Request timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length required"},
      {412, "Precondition failed"},
      {413, "Payload too large"},
      {414, "URI too long"},
      {415, "Unsupported media type"},
      {416, "Range not satisfiable"},
      {417, "Expectation failed"},
      {418, "I'm a teapot"},
      {421, "Misdirected request"},
      {422, "Unprocessable entity"},
      {423, "Locked"},
      {424, "Failed dependency"},
      {425, "Too early"},
      {426, "Upgrade required"},
      {428, "Precondition required"},
      {429, "Too many requests"},
      {431, "Request header fields too large"},
      {451, "Unavailable for legal reasons"},
      {494, "Request header or cookie too large"},
      {500, "An unexpected error occurred"},
      {501, "Not implemented"},
      {502, "An invalid response was received from the upstream server"},
      {503, "The upstream server is currently unavailable"},
      {504, "The upstream server is timing out"},
      {505, "HTTP version not supported"},
      {506, "Variant also negotiates"},
      {507, "Insufficient storage"},
      {508, "Loop detected"},
      {510, "Not extended"},
      {511, "Network authentication required"},
  }};
  for (const auto& [code, text] : kMessages) {
    if (code == status)
      return text;
  }
  return fmt::format("The upstream server responded with {}", status);
}

Value error(KongState& s, const Array& args) {
  const std::int64_t status = checked_status(arg(args, 0), 400);
  const Value& message = arg(args, 1);
  const Value& headers = arg(args, 2);
  std::optional<std::string> text;
  if (lua_type(message) == "table")
    text = cjson_encode(message);
  else if (message.is_text())
    text = std::string(message.text());
  else if (!message.is_nil())
    throw LuaError{"message must be a nil, a string or a table"};
  if (lua_type(headers) != "nil" && lua_type(headers) != "table")
    throw LuaError{"headers must be a nil or table"};
  check_headers(headers);
  // KONG_EXITED, as for exit: get_source answers "exit" (response.lua).
  send_error(s, status, text, headers, "exit");
  return Value{};
}

}  // namespace

void fail_with_500(KongState& s) {
  if (s.subsystem == "stream")
    end_stream_session(s, 500, "");
  else
    send_error(s, 500, std::nullopt, Value{}, "error");
}

void send_error(KongState& s, std::int64_t status, const std::optional<std::string>& message,
                const Value& headers, std::string source) {
  // headers["Content-Type"] (that exact key) wins; then gRPC; then Accept.
  std::optional<std::string> type;
  if (const Value* given = headers.find("Content-Type")) {
    type = given->is_array() && !given->as_array().empty() ? lua_tostring(given->as_array()[0])
                                                           : lua_tostring(*given);
  } else if (find_header(s.request.headers, "Content-Type")
                 .value_or("")
                 .starts_with("application/grpc")) {
    type = "application/grpc";
  } else {
    type = response_type(s.request.headers.all("Accept"));
  }
  const auto body = error_body(*type, message ? *message : default_message(status), s.request_id);
  if (!body)
    throw LuaError{"bad argument #1 to 'format' (string expected, got nil)"};
  Headers out = s.response.headers;
  set_all(s, out, headers);
  out.set("Content-Type", {*type});
  send(s, status, *body, std::move(out), std::move(source));
}

void register_response(Emulation& e) {
  using enum protocol::MethodId;
  e.add(response_get_status, get_status);
  e.add(response_get_header, get_header);
  e.add(response_get_headers, get_headers);
  e.add(response_get_source, get_source);
  e.add(response_get_raw_body, get_raw_body);
  e.add(response_set_status, set_status);
  e.add(response_set_header, set_header);
  e.add(response_add_header, add_header);
  e.add(response_clear_header, clear_header);
  e.add(response_set_headers, set_headers);
  e.add(response_exit, exit);
  e.add(response_error, error);
}

}  // namespace kong::mock
