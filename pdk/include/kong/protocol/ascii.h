#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace kong::protocol {

/// Equal but for the case of ASCII letters, as header names and Kong's
/// protocol names compare. Inline: both sides, and the ProtoBuf:1 module,
/// use it without a library to link.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace kong::protocol
