#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kong/pdk/plugin.h"
#include "kong/protocol/value.h"

#include "server/event.h"
#include "server/stack_pool.h"

namespace kong::server {

/// The answer to one RPC request: a result, or an error text for Kong.
struct Reply {
  protocol::Value result;
  std::string error;  // empty: success
};

/// Kong's `plugin.*` calls (protocol.md §3), independent of any socket:
/// instances, events and the Step family.
class RpcDispatcher {
 public:
  RpcDispatcher(std::string plugin_name, const PluginType& type, const ServerOptions& options);
  ~RpcDispatcher();

  /// Runs one request. Never throws: bad params and failures become errors.
  /// Takes the params to move a Step's Data into the handler.
  Reply dispatch(std::string_view method, protocol::Array params);

  /// Drops events Kong has not stepped for `idle`: Kong abandoned them (a
  /// timeout, a lost connection), and their stacks must come back.
  void expire_events(std::chrono::steady_clock::duration idle);

  std::size_t running_events() const { return events_.size(); }
  std::size_t instance_count() const { return instances_.size(); }

 private:
  struct Instance {
    std::int64_t id;
    std::string name;
    std::shared_ptr<PluginInstance> plugin;
    std::int64_t start_time;
  };

  Reply start_instance(const protocol::Array& params);
  Reply instance_status(const protocol::Array& params, bool close);
  Reply handle_event(const protocol::Array& params);
  using Events = std::unordered_map<std::int64_t, std::unique_ptr<Event>>;
  Reply step(std::string_view method, protocol::Array& params, bool is_error);
  Reply finish(Events::iterator event, Event::Outcome outcome);
  static protocol::Value status_of(const Instance& instance);

  std::string plugin_name_;
  const PluginType& type_;
  StackPool stacks_;
  std::map<std::int64_t, Instance> instances_;
  std::int64_t next_instance_id_ = 1;
  Events events_;
  std::int64_t next_event_id_ = 1;
};

}  // namespace kong::server
