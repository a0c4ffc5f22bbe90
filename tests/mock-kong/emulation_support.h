#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "emulation/emulation.h"

// Calling emulation handlers directly, as Kong's PDK would run them.
namespace kong::mock::test {

/// The state a case starts with; `edit` adjusts the case first.
template <class Edit>
KongState CaseState(Edit edit) {
  Case c;
  c.path = "cases[0]";
  edit(c);
  auto s = initial_state(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(s).value();
}

inline KongState CaseState() {
  return CaseState([](Case&) {});
}

/// The state of a case with this URL and these request headers.
inline KongState StateFor(const std::string& url, HeaderList headers = {}) {
  Case c;
  c.path = "cases[0]";
  c.request.url = url;
  c.request.headers = std::move(headers);
  auto s = initial_state(c);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return std::move(s).value();
}

/// The handler's result; throws when the method has no handler.
inline protocol::Value Call(KongState& s, protocol::MethodId id, protocol::Array args = {}) {
  const Handler h = Emulation::get().find(id);
  if (h == nullptr)
    throw std::runtime_error("no handler");
  return h(s, args);
}

/// The Lua error the call raises, or "(no error)".
inline std::string RaisedBy(KongState& s, protocol::MethodId id, protocol::Array args = {}) {
  try {
    Call(s, id, std::move(args));
  } catch (const LuaError& e) {
    return e.message;
  }
  return "(no error)";
}

/// A MessagePack map with string keys, in the order given.
inline protocol::Value MapOf(
    std::initializer_list<std::pair<const char*, protocol::Value>> entries) {
  protocol::Map m;
  for (const auto& [k, v] : entries)
    m.emplace_back(protocol::Value(k), v);
  return protocol::Value(std::move(m));
}

}  // namespace kong::mock::test
