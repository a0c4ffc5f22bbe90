#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.log: lines in Kong's error log. Kong joins the arguments with no
/// separator, each converted as Lua's tostring would. Any phase.
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
