#include "state/utf8.h"

namespace kong::mock {

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  const std::size_t length = byte < 0x80           ? 1
                             : (byte >> 5) == 0x6  ? 2
                             : (byte >> 4) == 0xe  ? 3
                             : (byte >> 3) == 0x1e ? 4
                                                   : 0;
  if (length == 0 || at + length > text.size())
    return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[at + k]) & 0xc0) != 0x80)
      return 0;
  }
  if (length == 1)
    return 1;
  const auto next = static_cast<unsigned char>(text[at + 1]);
  const bool overlong = (length == 2 && byte < 0xc2) ||
                        (length == 3 && byte == 0xe0 && next < 0xa0) ||
                        (length == 4 && byte == 0xf0 && next < 0x90);
  const bool surrogate = length == 3 && byte == 0xed && next >= 0xa0;
  const bool too_high = length == 4 && (byte > 0xf4 || (byte == 0xf4 && next >= 0x90));
  return overlong || surrogate || too_high ? 0 : length;
}

bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0)
      return false;
    i += length;
  }
  return true;
}

}  // namespace kong::mock
