#include "kong/protocol/method_table.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace kong::protocol {

std::string MethodInfo::phase_error(std::string_view current) const {
  if (check == PhaseCheck::all_but) {
    return fmt::format(
        "function cannot be called in {} phase (can be called in any phases except: {})", current,
        phase_list(kEveryPhase & ~phases));
  }
  return fmt::format("function cannot be called in {} phase (only in: {})", current,
                     phase_list(phases));
}

const MethodInfo* find_method(std::string_view name) {
  // Sorted once; a binary search costs a handful of string compares.
  static const auto sorted = [] {
    std::array<const MethodInfo*, kMethodCount> s{};
    for (std::size_t i = 0; i < kMethodCount; ++i)
      s[i] = &kMethods[i];
    std::sort(s.begin(), s.end(), [](auto* a, auto* b) { return a->name < b->name; });
    return s;
  }();
  auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                             [](const MethodInfo* m, std::string_view n) { return m->name < n; });
  return it != sorted.end() && (*it)->name == name ? *it : nullptr;
}

}  // namespace kong::protocol
