// Writes one JSON line per request to Kong's log, from kong.log.serialize():
// what Kong's own log plugins send to files, HTTP endpoints or syslog. The
// `access` handler tags the entry first, with set_serialize_value.
#pragma once

#include <string>
#include <vector>

#include "kong/pdk.h"

namespace log_serializer {

struct Config {
  /// Top-level fields of the serialized entry to keep; all when empty.
  std::vector<std::string> fields_kept;
  /// Added to the entry as "tag".
  std::string tag;

  static constexpr auto fields() {
    return std::tuple{kong::field("fields", &Config::fields_kept),
                      kong::field("tag", &Config::tag)};
  }

  void access(kong::Pdk& kong) {
    if (!tag.empty())
      kong.log.set_serialize_value("tag", tag);
  }

  void log(kong::Pdk& kong) {
    nlohmann::json entry = kong.log.serialize();
    if (!fields_kept.empty()) {
      nlohmann::json kept = nlohmann::json::object();
      for (const auto& f : fields_kept) {
        if (entry.contains(f))
          kept[f] = entry[f];
      }
      entry = std::move(kept);
    }
    kong.log.notice("log-serializer ", entry.dump());
  }
};

}  // namespace log_serializer
