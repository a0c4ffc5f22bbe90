#pragma once

#include <cstddef>
#include <string_view>

namespace kong::mock {

/// The length (1 to 4) of the well-formed UTF-8 sequence starting at `at`
/// in `text`, or 0 when none does: shortest forms only, no surrogates,
/// nothing past U+10FFFF (what JSON and XML take as UTF-8).
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

/// Whether all of `text` is well-formed UTF-8.
bool is_utf8(std::string_view text);

}  // namespace kong::mock
