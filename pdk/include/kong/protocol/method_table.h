#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "kong/protocol/phase.h"
#include "kong/protocol/signature_types.h"
#include "kong/protocol/value.h"

namespace kong::protocol {

/// Variadic arguments (kong.log.*): spread into the call's positional args.
struct LogArgs {
  Array values;
};

/// The MsgPack:1 Step method Kong answers a PDK call with (protocol.md §3).
enum class StepKind : std::uint8_t {
  plain,
  multimap,
  credential,
  consumer,
  route,
  service,
  memory_stats
};

enum class MethodId : std::uint16_t {
#define KONG_PDK_METHOD(id, ...) id,
#include "kong/protocol/methods.def"
};

/// One PDK function, as both sides of the protocol need to know it.
struct MethodInfo {
  MethodId id;
  std::string_view name;
  StepKind step;
  PhaseCheck check;
  PhaseMask phases;
  std::string_view pb_input;
  std::string_view pb_output;
  /// Kong packs the result as MessagePack bin, not str (raw bodies).
  bool result_is_bytes;
  /// Kong never answers the call: the event ends there (kong.response.exit).
  bool ends_event;
  /// The C++ result can be nil (a std::optional, or a raw Value): an empty
  /// ProtoBuf:1 answer is nil then.
  bool result_optional;
  /// How many positional arguments the C++ side sends at most; variadic
  /// (kong.log.*) when `variadic`.
  std::uint8_t arity;
  bool variadic;

  bool allowed_in(PhaseMask current) const {
    return check == PhaseCheck::none || (phases & current) != 0;
  }
  /// Kong's error text for a call in `current` phase, without the function name:
  /// "function cannot be called in log phase (only in: rewrite, access, ...)".
  std::string phase_error(std::string_view current) const;
};

namespace detail {
template <class T>
inline constexpr bool is_bytes_v =
    std::is_same_v<T, Bytes> || std::is_same_v<T, std::optional<Bytes>>;

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

template <class Signature>
struct Arguments;
template <class... A>
struct Arguments<void(A...)> {
  static constexpr std::uint8_t count = sizeof...(A);
  static constexpr bool variadic = (std::is_same_v<A, LogArgs> || ...);
};
}  // namespace detail

/// Every PDK function, indexed by MethodId.
inline constexpr MethodInfo kMethods[] = {
#define KONG_PDK_METHOD(id, name, R, ARGS, step, check, phase_set, pb_in, pb_out) \
  {MethodId::id,                                                                  \
   name,                                                                          \
   StepKind::step,                                                                \
   PhaseCheck::check,                                                             \
   phases::phase_set,                                                             \
   pb_in,                                                                         \
   pb_out,                                                                        \
   detail::is_bytes_v<R>,                                                         \
   std::is_same_v<R, NoReturn>,                                                   \
   detail::is_optional_v<R> || std::is_same_v<R, Value>,                          \
   detail::Arguments<void ARGS>::count,                                           \
   detail::Arguments<void ARGS>::variadic},
#include "kong/protocol/methods.def"
};
inline constexpr std::size_t kMethodCount = std::size(kMethods);

inline const MethodInfo& info(MethodId id) {
  return kMethods[static_cast<std::size_t>(id)];
}

/// The entry for a Kong name, or nullptr for a function Kong does not have.
const MethodInfo* find_method(std::string_view name);

/// A typed handle on a table entry: its signature is the C++ API's.
template <class Signature>
struct Method;
template <class R, class... Args>
struct Method<R(Args...)> {
  using Result = R;
  MethodId id;
  const MethodInfo& info() const { return kMethods[static_cast<std::size_t>(id)]; }
};

/// `methods::request_get_header` and so on, one per entry.
namespace methods {
#define KONG_PDK_METHOD(id, name, R, ARGS, ...) inline constexpr Method<R ARGS> id{MethodId::id};
#include "kong/protocol/methods.def"
}  // namespace methods

}  // namespace kong::protocol
