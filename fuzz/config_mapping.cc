// The PDK's configuration mapping (kong/pdk/config.h) on arbitrary JSON, as
// Kong would send a config: it fills the struct or names the field that
// does not fit, and what it fills maps back to JSON that fills it the same.
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "every_field_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded())
    return 0;
  kong::fuzz::EveryFieldConfig config;
  auto read = kong::config_from_json(json, config);
  if (!read) {
    if (read.error().message.empty())
      std::abort();  // a refusal must say what
    return 0;
  }
  kong::fuzz::EveryFieldConfig again;
  if (!kong::config_from_json(kong::config_to_json(config), again) || !(again == config))
    std::abort();  // the mapping does not survive its own output
  return 0;
}
