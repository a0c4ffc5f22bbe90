#include "kong/testing/mock_pdk.h"

#include <tuple>
#include <type_traits>
#include <utility>

#include "kong/pdk/typed_codec.h"

namespace kong::testing {
namespace {

using protocol::Array;
using protocol::Value;

template <class T>
std::optional<T> decode(const Array& args, std::size_t i) {
  const Value nil;
  const Value& v = i < args.size() ? args[i] : nil;
  if constexpr (std::is_same_v<T, protocol::LogArgs>) {
    // kong.log.*: every argument from here on.
    return protocol::LogArgs{Array(args.begin() + std::min(i, args.size()), args.end())};
  } else if constexpr (std::is_same_v<T, HeaderValue>) {
    bool ok = v.is_text() || v.is_array();
    for (std::size_t k = 0; ok && v.is_array() && k < v.as_array().size(); ++k)
      ok = v.as_array()[k].is_text();
    return ok ? std::optional<T>(HeaderValue::from_wire(v)) : std::nullopt;
  } else if constexpr (std::is_same_v<T, Body>) {
    return Body::from_wire(v);
  } else {
    T out{};
    if (!protocol::from_value(v, out))
      return std::nullopt;
    return out;
  }
}

// The arguments as the mock method takes them; nullopt when one does not
// fit its type (not a call the C++ PDK makes).
template <class... A, std::size_t... I>
std::optional<std::tuple<A...>> decode_all(const Array& args, std::index_sequence<I...>) {
  std::tuple<std::optional<A>...> parts{decode<A>(args, I)...};
  if (!(std::get<I>(parts).has_value() && ...))
    return std::nullopt;
  return std::tuple<A...>{std::move(*std::get<I>(parts))...};
}

}  // namespace

MockPdk::MockPdk() {
  // gmock's "delegating to a fake": Kong's emulation answers whatever a test
  // does not set up.
#define KONG_PDK_METHOD(id, name, R, ARGS, ...) \
  ON_CALL(*this, id).WillByDefault([this](auto&&...) -> R { return emulated<R>(); });
#include "kong/protocol/methods.def"
}

MockPdk::~MockPdk() = default;

template <class R>
R MockPdk::emulated() {
  emulated_ = (*emulate_)();
  if constexpr (!std::is_void_v<R>) {
    R out{};
    if constexpr (!std::is_same_v<R, NoReturn>)
      (void)protocol::from_value(*emulated_, out);  // a misfit still goes out as it is
    return out;
  }
}

template <class R, class... A>
Value MockPdk::call(R (MockPdk::*method)(A...), const Array& args) {
  auto decoded = decode_all<std::decay_t<A>...>(args, std::index_sequence_for<A...>{});
  if (!decoded)
    return (*emulate_)();
  auto invoke = [&](auto&... a) { return (this->*method)(std::move(a)...); };
  if constexpr (std::is_void_v<R>) {
    std::apply(invoke, *decoded);
    return emulated_ ? *emulated_ : Value{};
  } else {
    R result = std::apply(invoke, *decoded);
    return emulated_ ? *emulated_ : protocol::to_value(result);
  }
}

Value MockPdk::answer(const protocol::MethodInfo& method, const Array& args,
                      const std::function<Value()>& emulate) {
  emulate_ = &emulate;
  emulated_.reset();
  struct Reset {
    MockPdk* mock;
    ~Reset() { mock->emulate_ = nullptr; }
  } reset{this};
  switch (method.id) {
#define KONG_PDK_METHOD(id, ...) \
  case protocol::MethodId::id:   \
    return call(&MockPdk::id, args);
#include "kong/protocol/methods.def"
  }
  return emulate();
}

}  // namespace kong::testing

namespace kong {

void PrintTo(const Bytes& b, std::ostream* os) {
  *os << "Bytes"
      << nlohmann::json(b.data).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
void PrintTo(const HeaderValue& h, std::ostream* os) {
  *os << protocol::to_debug_string(h.value());
}
void PrintTo(const Body& b, std::ostream* os) {
  *os << protocol::to_debug_string(b.value());
}
void PrintTo(const NoReturn&, std::ostream* os) {
  *os << "(no return)";
}
void PrintTo(const UriCaptures& c, std::ostream* os) {
  *os << protocol::to_debug_string(protocol::to_value(c));
}

}  // namespace kong

namespace kong::protocol {

void PrintTo(const Value& v, std::ostream* os) {
  *os << to_debug_string(v);
}
void PrintTo(const LogArgs& a, std::ostream* os) {
  *os << to_debug_string(Value(a.values));
}

}  // namespace kong::protocol
