#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kong/pdk/plugin.h"
#include "kong/result.h"

namespace kong::server {

/// One configured instance, as Kong started it (protocol.md §2).
struct Instance {
  std::int64_t id;
  /// The name Kong started it with.
  std::string name;
  /// Shared with the events running on it: they finish after a close.
  std::shared_ptr<PluginInstance> plugin;
  /// Seconds since the epoch.
  std::int64_t start_time;
};

/// The plugin's instances, whichever protocol Kong speaks: started from the
/// configuration Kong sends as JSON text, found by id, closed.
class Instances {
 public:
  Instances(std::string plugin_name, const PluginType& type)
      : plugin_name_(std::move(plugin_name)), type_(type) {}

  /// Starts an instance from Kong's configuration JSON. Like the Go PDK, a
  /// non-zero `__seq__` (Kong's) is its id, replacing an instance with that
  /// id; otherwise the server picks a free one. Errors: "Config is not valid
  /// JSON", "config: <field>: <problem>".
  Result<const Instance*> start(std::string_view name, std::string_view config_json);

  /// The instance `id`; else the error "no plugin instance <id>", the text
  /// Kong looks for to start its instances anew.
  Result<const Instance*> find(std::int64_t id) const;

  /// Forgets the instance `id`, if there is one. Its running events keep
  /// the plugin until they end.
  void close(std::int64_t id) { instances_.erase(id); }

  /// The phase `event_name` names, if the plugin handles it; else the error
  /// `<plugin> has no handler for phase "<event_name>"`.
  Result<Phase> handled_phase(std::string_view event_name) const;

  const std::string& plugin_name() const { return plugin_name_; }
  const PluginType& type() const { return type_; }
  std::size_t size() const { return instances_.size(); }

 private:
  std::string plugin_name_;
  const PluginType& type_;
  std::map<std::int64_t, Instance> instances_;
  std::int64_t next_id_ = 1;
};

}  // namespace kong::server
