#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.response: the response the client gets. Getters in response and log;
/// setters in rewrite, access and response.
class Response {
 public:
  explicit Response(Channel& channel) : channel_(channel) {}

  /// Status currently set for the client response.
  std::int64_t get_status() { return channel_.call(protocol::methods::response_get_status); }
  /// Where the response comes from: "service" (proxied), "exit" (exit() or
  /// error() of a plugin or Kong) or "error" (Kong failed).
  std::string get_source() { return channel_.call(protocol::methods::response_get_source); }
  /// First value of a response header; nullopt when absent.
  std::optional<std::string> get_header(std::string_view name) {
    return channel_.call(protocol::methods::response_get_header, name);
  }
  /// Every response header, names lower case.
  MultiMap get_headers(std::int64_t max_headers = kDefaultMaxHeaders) {
    return channel_.call(protocol::methods::response_get_headers, max_headers);
  }
  /// Sets the status (100..999).
  void set_status(std::int64_t status) {
    channel_.call(protocol::methods::response_set_status, status);
  }
  /// Replaces a header; several values make several header lines.
  void set_header(std::string_view name, const HeaderValue& value) {
    channel_.call(protocol::methods::response_set_header, name, value);
  }
  /// Adds a header line, keeping those already set.
  void add_header(std::string_view name, const HeaderValue& value) {
    channel_.call(protocol::methods::response_add_header, name, value);
  }
  /// Removes every line of a header.
  void clear_header(std::string_view name) {
    channel_.call(protocol::methods::response_clear_header, name);
  }
  /// Replaces each header named in `headers`, keeping the others.
  void set_headers(const MultiMap& headers) {
    channel_.call(protocol::methods::response_set_headers, headers);
  }
  /// Ends the request with this response: the rest of the handler does not
  /// run (the call unwinds it), later access/response handlers are skipped,
  /// log handlers still run. A JSON body gets Content-Type application/json.
  [[noreturn]] void exit(std::int64_t status, const Body& body = {},
                         const std::optional<MultiMap>& headers = std::nullopt) {
    channel_.call(protocol::methods::response_exit, status, body, headers);
    throw EventEnded{};  // unreachable: the call unwinds; stated for [[noreturn]]
  }
  /// Ends the request with Kong's own error response, like exit(): `status`
  /// 400..599, the body in the format the Accept header asks for (JSON
  /// {"message": ...} by default, HTML, XML or text). `message` is a string or
  /// a JSON value; without one Kong uses its text for the status ("Not
  /// found").
  [[noreturn]] void error(std::int64_t status,
                          const std::optional<nlohmann::json>& message = std::nullopt,
                          const std::optional<MultiMap>& headers = std::nullopt) {
    channel_.call(protocol::methods::response_error, status, message, headers);
    throw EventEnded{};  // unreachable: the call unwinds; stated for [[noreturn]]
  }
  /// The whole body of the response, in Kong's body_filter phase, where no
  /// external plugin runs: this call is refused in every phase a plugin has.
  std::optional<Bytes> get_raw_body() {
    return channel_.call(protocol::methods::response_get_raw_body);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
