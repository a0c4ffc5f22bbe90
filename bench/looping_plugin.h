#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>

#include "kong/pdk.h"

namespace kong::bench {

/// A plugin whose access handler makes one PDK call per answer from Kong,
/// kong.request.get_header(header): each answer is exactly one PDK call round
/// trip through the server, with no event set-up in it. It never returns
/// (`calls` 0), or returns after `calls` calls.
struct LoopingPlugin {
  std::string header = "host";
  std::int64_t calls = 0;

  static constexpr auto fields() {
    return std::tuple{kong::field("header", &LoopingPlugin::header),
                      kong::field("calls", &LoopingPlugin::calls)};
  }

  void access(kong::Pdk& kong) {
    for (std::int64_t i = 0; calls == 0 || i < calls; ++i) {
      const std::string value = kong.request.get_header(header).value_or("");
      // A server that answered something else would be measured doing less.
      if (value.empty())
        throw std::runtime_error("expected a " + header + " header, got none");
    }
  }
};

}  // namespace kong::bench
