#include "server/instances.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace kong::server {

Result<const Instance*> Instances::start(std::string_view name, std::string_view config_json) {
  auto json = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    return Error{"Config is not valid JSON"};
  auto created = type_.create(json);
  if (!created)
    return created.error();  // "config.<field>: <problem>"

  // Like the Go PDK: a non-zero __seq__ (added by Kong) is the instance id.
  std::int64_t id = 0;
  if (auto seq = json.find("__seq__"); seq != json.end() && seq->is_number_integer())
    id = seq->get<std::int64_t>();
  if (id == 0) {
    while (instances_.contains(next_id_))
      ++next_id_;
    id = next_id_++;
  }
  Instance instance{id, std::string(name), std::move(created).value(),
                    static_cast<std::int64_t>(std::time(nullptr))};
  return &instances_.insert_or_assign(id, std::move(instance)).first->second;
}

Result<const Instance*> Instances::find(std::int64_t id) const {
  auto it = instances_.find(id);
  if (it == instances_.end())
    return Error{fmt::format("no plugin instance {}", id)};
  return &it->second;
}

Result<Phase> Instances::handled_phase(std::string_view event_name) const {
  const auto phase = parse_phase(event_name);
  if (!phase || std::find(type_.phases.begin(), type_.phases.end(), *phase) == type_.phases.end())
    return Error{fmt::format("{} has no handler for phase \"{}\"", plugin_name_, event_name)};
  return *phase;
}

}  // namespace kong::server
