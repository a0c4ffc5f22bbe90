#pragma once

#include <string>

namespace kong::mock {

/// A Lua error raised inside a PDK function (a bad argument, a wrong phase).
/// It never reaches the plugin: Kong logs it and abandons the event
/// (protocol.md §3). The emulation throws it, and so may a test's mock.
struct LuaError {
  std::string message;
};

}  // namespace kong::mock
