#pragma once

#include <algorithm>
#include <string_view>

namespace kong::protocol {

/// A-Z to a-z, nothing else, as nginx's ngx_tolower (and C's tolower in
/// the "C" locale), without a call per character.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Equal but for the case of ASCII letters, as header names and Kong's
/// protocol names compare. Inline: both sides, and the ProtoBuf:1 module,
/// use it without a library to link.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::ranges::equal(a, b, [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace kong::protocol
