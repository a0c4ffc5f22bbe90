// The MessagePack decoder (kong/protocol/msgpack_codec.h) on arbitrary
// bytes: what the scanner says is one value decodes or is refused, and what
// decodes encodes to bytes that decode and encode to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kong/protocol/msgpack_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits, so that the fuzzer meets them.
  const kong::protocol::MsgpackLimits limits{4096, 32};
  kong::protocol::MsgpackScanner scanner(limits);
  if (scanner.feed(bytes) != kong::protocol::MsgpackScanner::State::complete)
    return 0;
  auto value = kong::protocol::msgpack_decode(bytes.substr(0, scanner.size()), 0, limits);
  if (!value)
    return 0;
  // Compared as bytes: a NaN is a value, and equal to no value.
  std::string encoded;
  kong::protocol::msgpack_encode(*value, encoded);
  auto decoded = kong::protocol::msgpack_decode(encoded);
  if (!decoded)
    std::abort();  // an encoding the decoder refuses
  std::string again;
  kong::protocol::msgpack_encode(*decoded, again);
  if (again != encoded)
    std::abort();  // a value that does not survive its own encoding
  return 0;
}
