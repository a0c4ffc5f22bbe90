#include "kong/pdk/log.h"

#include <string>

namespace kong {

nlohmann::json Log::serialize() {
  // Over RPC Kong's exposed_api hands out the record cjson-encoded, not as a
  // table (kong-pdk-reference.md, kong.log.serialize).
  const std::string text = channel_.call(protocol::methods::log_serialize);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    constexpr std::size_t kShown = 60;
    std::string shown = protocol::to_debug_string(protocol::Value(text.substr(0, kShown)));
    if (text.size() > kShown)
      shown += "...";
    throw PdkError(protocol::methods::log_serialize.info().name,
                   "expected JSON text result, got string " + shown + " (invalid at byte " +
                       std::to_string(e.byte) + ")");
  }
}

}  // namespace kong
