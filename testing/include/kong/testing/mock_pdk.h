#pragma once

#include <functional>
#include <optional>
#include <ostream>

#include <gmock/gmock.h>

#include "kong/mock/lifecycle.h"
#include "kong/mock/lua_error.h"
#include "kong/pdk/config.h"
#include "kong/pdk/entities.h"
#include "kong/pdk/types.h"
#include "kong/protocol/method_table.h"

namespace kong::testing {

/// GoogleMock for Kong's side of the PDK: one mock method per PDK function,
/// named and typed as in the method table (`request_get_header(std::string)
/// -> std::optional<std::string>`). By default every method delegates to
/// mock-kong's emulation, so a test sets expectations on, or overrides, the
/// few calls it cares about while Kong answers the rest:
///
///     ::testing::NiceMock<kong::testing::MockPdk> kong;
///     EXPECT_CALL(kong, request_get_header("host")).WillOnce(Return("a.test"));
///     auto result = plugin.run(c, kong);
///
/// A call reaches the mock after Kong's phase check, and is traced with the
/// answer the mock gave. An overriding action replaces the emulation: Kong's
/// state does not change (a mocked kong.response.set_header sets nothing).
/// kong::testing::RaiseLuaError makes the call fail as Kong's PDK would.
/// Wrap it in NiceMock (no warnings for calls without expectations) or
/// StrictMock (every call must be expected).
class MockPdk : public mock::CallInterceptor {
 public:
  MockPdk();
  ~MockPdk() override;

  // The method table's types are written as seen from kong::protocol.
  using LogArgs = protocol::LogArgs;
  using Value = protocol::Value;

#define KONG_PDK_METHOD(id, name, R, ARGS, ...) MOCK_METHOD(R, id, ARGS);
#include "kong/protocol/methods.def"

  protocol::Value answer(const protocol::MethodInfo& method, const protocol::Array& args,
                         const std::function<protocol::Value()>& emulate) override;

 private:
  template <class R>
  R emulated();
  template <class R, class... A>
  protocol::Value call(R (MockPdk::*method)(A...), const protocol::Array& args);

  const std::function<protocol::Value()>* emulate_ = nullptr;
  // The emulation's answer to the call in progress, when a default action
  // asked for it: sent as the emulation gave it.
  std::optional<protocol::Value> emulated_;
};

/// An action that fails the PDK call with a Lua error, as Kong's PDK does
/// for a bad argument: Kong logs `message` and abandons the event.
inline auto RaiseLuaError(std::string message) {
  return ::testing::Throw(mock::LuaError{std::move(message)});
}

}  // namespace kong::testing

// How GoogleTest prints the PDK's types in expectations and failures.
namespace kong {
void PrintTo(const Bytes& b, std::ostream* os);
void PrintTo(const HeaderValue& h, std::ostream* os);
void PrintTo(const Body& b, std::ostream* os);
void PrintTo(const NoReturn&, std::ostream* os);
void PrintTo(const UriCaptures& c, std::ostream* os);
}  // namespace kong
namespace kong::protocol {
void PrintTo(const Value& v, std::ostream* os);
void PrintTo(const LogArgs& a, std::ostream* os);
}  // namespace kong::protocol
namespace kong::entity {
template <config_detail::Record T>
void PrintTo(const T& entity, std::ostream* os) {
  *os << config_detail::write(entity).dump();
}
}  // namespace kong::entity
