#include "kong/protocol/method_table.h"

#include <unordered_map>

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
  // Hashed once: every PDK call of every event is looked up by its name,
  // and the names share long prefixes ("kong.request.") that a search
  // by comparison reads again and again.
  static const auto by_name = [] {
    std::unordered_map<std::string_view, const MethodInfo*> m;
    m.reserve(kMethodCount);
    for (const MethodInfo& info : kMethods)
      m.emplace(info.name, &info);
    return m;
  }();
  const auto it = by_name.find(name);
  return it != by_name.end() ? it->second : nullptr;
}

}  // namespace kong::protocol
