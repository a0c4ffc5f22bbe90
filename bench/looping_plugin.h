#pragma once

#include <stdexcept>
#include <string>
#include <tuple>

#include "kong/pdk.h"

namespace kong::bench {

/// A plugin whose access handler never returns and makes one PDK call per
/// Step, kong.request.get_header(header): each Step Kong sends is exactly one
/// PDK call round trip through the server, with no event set-up in it.
struct LoopingPlugin {
  std::string header = "host";

  static constexpr auto fields() {
    return std::tuple{kong::field("header", &LoopingPlugin::header)};
  }

  void access(kong::Pdk& kong) {
    for (;;) {
      const std::string value = kong.request.get_header(header).value_or("");
      // A server that answered something else would be measured doing less.
      if (value.empty())
        throw std::runtime_error("expected a " + header + " header, got none");
    }
  }
};

}  // namespace kong::bench
