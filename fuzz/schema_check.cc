// mock-kong's check of a configuration against a plugin's Kong schema
// (kong/mock/config_schema.h), as it runs on every fixture: arbitrary JSON
// against the schema the PDK dumps for a config with every field kind, or,
// for {"schema": ..., "config": ...}, against an arbitrary schema.
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "kong/mock/config_schema.h"

#include "every_field_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As the plugin server dumps it: {name, fields = [{config = record}]}.
  static const nlohmann::json every_field = {
      {"name", "fuzz"},
      {"fields", {{{"config", kong::config_schema<kong::fuzz::EveryFieldConfig>()}}}}};
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded())
    return 0;
  const bool given = json.is_object() && json.contains("schema") && json.contains("config");
  const nlohmann::json& schema = given ? json["schema"] : every_field;
  const nlohmann::json& config = given ? json["config"] : json;
  auto checked = kong::mock::validate_config(config, schema, "fuzz");
  if (!checked && !checked.error().message.starts_with("fuzz"))
    std::abort();  // an error must say where
  if (checked && !given) {
    // What Kong takes, the PDK maps.
    kong::fuzz::EveryFieldConfig mapped;
    (void)kong::config_from_json(*checked, mapped);
  }
  return 0;
}
