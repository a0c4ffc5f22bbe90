#pragma once

// A plugin configuration with a field of every kind kong::field() maps,
// for the config mapping and the Kong-schema check targets.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/pdk/config.h"

namespace kong::fuzz {

struct Limits {
  std::int64_t per_minute = 10;
  std::optional<double> burst;
  static constexpr auto fields() {
    return std::tuple{field("per_minute", &Limits::per_minute).between(1, 10000),
                      field("burst", &Limits::burst)};
  }
  bool operator==(const Limits&) const = default;
};

struct EveryFieldConfig {
  std::string message = "hello";
  bool enabled = true;
  std::int64_t count = 3;
  double ratio = 0.5;
  std::vector<std::string> names;
  std::map<std::string, std::string> headers;
  std::optional<std::string> note;
  Limits limits;
  std::vector<Limits> tiers;
  nlohmann::json extra;
  static constexpr auto fields() {
    return std::tuple{field("message", &EveryFieldConfig::message),
                      field("enabled", &EveryFieldConfig::enabled),
                      field("count", &EveryFieldConfig::count).between(-5, 1000000),
                      field("ratio", &EveryFieldConfig::ratio),
                      field("names", &EveryFieldConfig::names),
                      field("headers", &EveryFieldConfig::headers),
                      field("note", &EveryFieldConfig::note),
                      field("limits", &EveryFieldConfig::limits),
                      field("tiers", &EveryFieldConfig::tiers),
                      field("extra", &EveryFieldConfig::extra)};
  }
  bool operator==(const EveryFieldConfig&) const = default;
};

}  // namespace kong::fuzz
