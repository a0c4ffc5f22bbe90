#pragma once

#include <concepts>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "kong/pdk/error.h"
#include "kong/pdk/typed_codec.h"
#include "kong/protocol/method_table.h"

namespace kong {

/// Thrown (by a channel) to unwind a handler whose event is over, after a
/// call such as kong.response.exit. Not a std::exception on purpose: code that
/// catches std::exception must not swallow it. A `catch (...)` must rethrow.
struct EventEnded {};

/// The seam between the typed PDK and a transport: the MsgPack:1 event of the
/// plugin server, a ProtoBuf:1 connection, or an in-memory fake in tests.
class Channel {
 public:
  virtual ~Channel() = default;

  /// The phase whose handler is running.
  virtual Phase phase() const = 0;

  /// Runs `work`, which may block, and returns when it has run. The plugin
  /// server runs it on a thread of its blocking pool while the handler
  /// waits and the server serves other events; this default, for channels
  /// without a server (tests), runs it here. `work` must not throw, and
  /// must make no PDK call: the server's channel refuses those.
  virtual void run_blocking(const std::function<void()>& work) { work(); }

  /// Calls the PDK function `m` with `args` and returns its result, typed as
  /// the table says. Throws PdkError before sending when Kong would refuse the
  /// call in this phase, and when the answer has the wrong type.
  template <class R, class... A, class... Given>
  R call(const protocol::Method<R(A...)>& m, Given&&... given) {
    static_assert(sizeof...(A) == sizeof...(Given), "pass every argument of the table entry");
    const protocol::MethodInfo& info = m.info();
    if (!info.allowed_in(protocol::bit(phase())))
      throw_phase_error(info, phase());
    protocol::Array args;
    args.reserve(sizeof...(A));
    (append_arg<A>(args, std::forward<Given>(given)), ...);
    // An omitted optional argument is not sent at all, as from Lua.
    while (!args.empty() && args.back().is_nil())
      args.pop_back();
    protocol::Value result = send(info, std::move(args));
    if constexpr (std::is_same_v<R, NoReturn>) {
      throw EventEnded{};  // channels throw this themselves; never resume past an exit
    } else if constexpr (!std::is_void_v<R>) {
      R out{};
      if (!protocol::from_value(result, out)) {
        throw_bad_result(info, protocol::expected_type_name<R>(), result);
      }
      return out;
    }
  }

 protected:
  /// Sends one call and waits for Kong's answer. For a call that ends the
  /// event (info.ends_event) it throws EventEnded instead of returning.
  virtual protocol::Value send(const protocol::MethodInfo& info, protocol::Array args) = 0;

 private:
  template <class A, class G>
  static void append_arg(protocol::Array& args, G&& given) {
    if constexpr (std::is_same_v<A, protocol::LogArgs>) {
      for (auto& v : given.values)
        args.push_back(std::move(v));
    } else if constexpr (std::is_same_v<std::remove_cvref_t<G>, A>) {
      args.push_back(protocol::to_value(given));
    } else {
      args.push_back(protocol::to_value(A(std::forward<G>(given))));
    }
  }

  [[noreturn]] static void throw_phase_error(const protocol::MethodInfo& info, Phase p);
  [[noreturn]] static void throw_bad_result(const protocol::MethodInfo& info,
                                            std::string_view expected, const protocol::Value& got);
};

}  // namespace kong
