// Rewrites what the upstream answered before the client sees it: adds and
// removes response headers and, for a JSON body, adds and removes top-level
// fields. Its `response` handler makes Kong buffer the upstream response.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kong/pdk.h"

namespace response_transformer {

struct Config {
  /// Header -> value, set on the response.
  std::map<std::string, std::string> add_headers;
  std::vector<std::string> remove_headers;
  /// Field -> JSON value (as text: "1", "\"x\"", "{...}"), set in a JSON body.
  std::map<std::string, std::string> add_json;
  std::vector<std::string> remove_json;

  static constexpr auto fields() {
    return std::tuple{kong::field("add_headers", &Config::add_headers),
                      kong::field("remove_headers", &Config::remove_headers),
                      kong::field("add_json", &Config::add_json),
                      kong::field("remove_json", &Config::remove_json)};
  }

  void response(kong::Pdk& kong) {
    for (const auto& name : remove_headers)
      kong.response.clear_header(name);
    for (const auto& [name, value] : add_headers)
      kong.response.set_header(name, value);
    if (add_json.empty() && remove_json.empty())
      return;

    const std::string type = kong.service.response.get_header("content-type").value_or("");
    if (type.find("json") == std::string::npos)
      return;  // not JSON: the body goes out as the upstream sent it
    const kong::Bytes upstream = kong.service.response.get_raw_body();
    auto body = nlohmann::json::parse(upstream.data, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) {
      kong.log.warn("upstream body is not a JSON object; left as it is");
      return;
    }
    for (const auto& field : remove_json)
      body.erase(field);
    for (const auto& [field, text] : add_json) {
      auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      body[field] = value.is_discarded() ? nlohmann::json(text) : value;
    }
    // In the response phase the new body goes out through exit, with the
    // status the client would have got.
    kong.response.exit(kong.response.get_status(), body.dump());
  }
};

}  // namespace response_transformer
