#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"

#include "server/event.h"
#include "server/instances.h"
#include "server/stack_pool.h"

namespace kong::server {

/// The answer to one RPC request: a result, or an error text for Kong.
struct Reply {
  protocol::Value result;
  std::string error;  // empty: success
};

/// Kong's MsgPack:1 `plugin.*` calls (protocol.md §3), independent of any
/// socket: instances, events keyed by id, and the Step family.
class RpcDispatcher {
 public:
  /// Events take their stacks from `stacks`, which must outlive them, and
  /// tell `stalls`, if given, how long their handlers held the thread.
  RpcDispatcher(Instances& instances, StackPool& stacks, StallMonitor* stalls = nullptr)
      : instances_(instances), stacks_(stacks), stalls_(stalls) {}
  ~RpcDispatcher();

  /// Runs one request. Never throws: bad params and failures become errors.
  /// Takes the params to move a Step's Data into the handler.
  Reply dispatch(protocol::rpc::Command command, protocol::Array params);
  /// The same by the method's name, as it came: an error for a method Kong
  /// does not call.
  Reply dispatch(std::string_view method, protocol::Array params);

  /// Drops events Kong has not stepped for `idle`: Kong abandoned them (a
  /// timeout, a lost connection), and their stacks must come back.
  void expire_events(std::chrono::steady_clock::duration idle);

  std::size_t running_events() const { return events_.size(); }
  std::size_t instance_count() const { return instances_.size(); }

 private:
  Reply start_instance(const protocol::Array& params);
  Reply instance_status(const protocol::Array& params, bool close);
  Reply handle_event(const protocol::Array& params);
  using Events = std::unordered_map<std::int64_t, std::unique_ptr<Event>>;
  Reply step(protocol::rpc::Command command, protocol::Array& params);
  Reply finish(Events::iterator event, Event::Outcome outcome);
  static protocol::Value status_of(const Instance& instance);

  Instances& instances_;
  StackPool& stacks_;
  StallMonitor* stalls_;
  Events events_;
  std::int64_t next_event_id_ = 1;
};

}  // namespace kong::server
