#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kong::mock {

/// The candidate closest to `typed` by edit distance, if one is close enough
/// to be a typo of it ("--repaly" -> "--replay").
std::optional<std::string> closest_match(const std::string& typed,
                                         const std::vector<std::string>& candidates);

}  // namespace kong::mock
