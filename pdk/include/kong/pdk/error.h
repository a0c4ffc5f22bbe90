#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace kong {

/// A PDK call failed: a phase where Kong does not allow it, a result of the
/// wrong type, or an error Kong sent back. what() starts with the function:
/// "kong.response.exit: function cannot be called in log phase (only in: ...)".
class PdkError : public std::runtime_error {
 public:
  PdkError(std::string_view function, std::string_view message)
      : std::runtime_error(std::string(function) + ": " + std::string(message)),
        function_(function) {}

  /// The PDK function that failed, e.g. "kong.request.get_header".
  const std::string& function() const { return function_; }

 private:
  std::string function_;
};

}  // namespace kong
