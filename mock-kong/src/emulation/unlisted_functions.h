#pragma once

#include <string_view>

#include "emulation/emulation.h"

namespace kong::mock {

/// A Kong function the bridge reaches by name that no PDK declares, so it
/// is not in the method table (unlisted_functions.cc says which and why).
struct UnlistedFunction {
  std::string_view name;
  /// check_phase's allowed phases, as Kong's error text lists them.
  protocol::PhaseMask phases;
  /// Kong's answer to arguments a plugin can send over RPC.
  Handler answer;
};

/// The unlisted function called `name`, or nullptr: Kong has none.
const UnlistedFunction* find_unlisted_function(std::string_view name);

/// Whether Kong's PDK in `subsystem` has the module `name` is in (a name
/// outside it is an unknown method there).
bool loaded_in(std::string_view subsystem, std::string_view name);

}  // namespace kong::mock
