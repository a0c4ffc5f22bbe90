#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.log: lines in Kong's error log, and the log record Kong's logging
/// plugins send. The levels join their arguments with no separator, each
/// converted as Lua's tostring would; Kong drops lines below its log_level.
/// Any phase, unless noted.
class Log {
 public:
  explicit Log(Channel& channel) : channel_(channel) {}

  template <class... T>
  void alert(const T&... args) {
    write(protocol::methods::log_alert, args...);
  }
  template <class... T>
  void crit(const T&... args) {
    write(protocol::methods::log_crit, args...);
  }
  template <class... T>
  void err(const T&... args) {
    write(protocol::methods::log_err, args...);
  }
  template <class... T>
  void warn(const T&... args) {
    write(protocol::methods::log_warn, args...);
  }
  template <class... T>
  void notice(const T&... args) {
    write(protocol::methods::log_notice, args...);
  }
  template <class... T>
  void info(const T&... args) {
    write(protocol::methods::log_info, args...);
  }
  template <class... T>
  void debug(const T&... args) {
    write(protocol::methods::log_debug, args...);
  }
  /// A deprecation warning (level warn). A last argument that is a JSON
  /// object names the versions: {"after": "3.0", "removal": "4.0"}, and
  /// "trace": true adds a traceback.
  template <class... T>
  void deprecation(const T&... args) {
    write(protocol::methods::log_deprecation, args...);
  }

  /// The log record of this request, as Kong's logging plugins send it:
  /// request, response, latencies, route, service, consumer, client_ip and
  /// so on, with set_serialize_value's edits. Kong sends it as JSON text;
  /// text that does not parse throws PdkError. Phase log.
  nlohmann::json serialize();
  /// Edits the record serialize() gives: `key` is a dotted path ("a.b"; "\\."
  /// for a literal dot), `value` what goes there (null removes it).
  /// `options` {"mode": "set" | "add" | "replace"}: always (the default), only
  /// where absent, only where present. Kong checks the value only when the
  /// record is built. In log, edits come too late for serialize(). Phases
  /// rewrite, access, response and log.
  void set_serialize_value(std::string_view key, const nlohmann::json& value,
                           const std::optional<nlohmann::json>& options = std::nullopt) {
    channel_.call(protocol::methods::log_set_serialize_value, key, value, options);
  }

 private:
  template <class M, class... T>
  void write(const M& method, const T&... args) {
    channel_.call(method, protocol::LogArgs{{arg(args)...}});
  }

  template <class T>
  static protocol::Value arg(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      return protocol::Value(v);
    } else if constexpr (std::is_same_v<T, char>) {
      return protocol::Value(std::string(1, v));  // a character, not its code
    } else if constexpr (std::is_integral_v<T>) {
      return protocol::Value(static_cast<long long>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      return protocol::Value(static_cast<double>(v));
    } else {
      return protocol::to_value(v);
    }
  }

  Channel& channel_;
};

}  // namespace kong
