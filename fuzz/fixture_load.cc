// The fixture loader (kong/mock/fixture.h) on arbitrary text: a fixture, or
// an error that names the file, and never a crash, a hang or unbounded
// memory, whatever the nesting or the size.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kong/mock/fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fixture = kong::mock::parse_fixture(text, "fuzz.json");
  if (!fixture && !fixture.error().message.starts_with("fuzz.json"))
    std::abort();  // an error must name the file
  return 0;
}
