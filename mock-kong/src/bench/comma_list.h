#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

namespace kong::mock {

/// The parts of an option's comma-separated list ("cpu=5%,p99=20%",
/// "0,2-3"), empty ones included, so that the caller names what it cannot
/// read.
inline std::vector<std::string_view> comma_list(std::string_view spec) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t end = std::min(spec.find(',', start), spec.size());
    parts.push_back(spec.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace kong::mock
