#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kong/protocol/rpc_message.h"
#include "kong/protocol/value.h"

#include "server/event.h"
#include "server/event_driver.h"
#include "server/instances.h"

namespace kong::server {

/// The answer to one RPC request: a result, or an error text for Kong.
struct Reply {
  protocol::Value result;
  std::string error;  // empty: success
};

/// Where an answer goes that comes later than its request: the connection
/// the request came on. Called holding the loop's lock.
class ReplyTo {
 public:
  virtual void deliver(Reply reply) = 0;

 protected:
  ~ReplyTo() = default;
};

/// Kong's MsgPack:1 `plugin.*` calls (protocol.md §3), independent of any
/// socket: instances, events keyed by id, and the Step family.
class RpcDispatcher final : private OutcomeListener {
 public:
  /// Events start and run through `driver`.
  RpcDispatcher(Instances& instances, EventDriver& driver)
      : instances_(instances), driver_(driver) {}
  ~RpcDispatcher();

  /// Runs one request. Never throws: bad params and failures become errors.
  /// Takes the params to move a Step's Data into the handler. The reply,
  /// or nullopt when the handler waits for work off the thread
  /// (kong.blocking): then `later` gets it, unless forgotten first.
  std::optional<Reply> dispatch(protocol::rpc::Command command, protocol::Array params,
                                ReplyTo& later);
  /// The same by the method's name, as it came: an error for a method Kong
  /// does not call.
  std::optional<Reply> dispatch(std::string_view method, protocol::Array params, ReplyTo& later);

  /// `reply_to` is going away: a reply owed to it is dropped, and its event
  /// with it, as Kong cannot step an event whose call it never got.
  void forget(ReplyTo& reply_to);

  /// Drops events Kong has not stepped for `idle`: Kong abandoned them (a
  /// timeout, a lost connection), and their stacks must come back.
  void expire_events(std::chrono::steady_clock::duration idle);

  std::size_t running_events() const { return events_.size(); }
  std::size_t instance_count() const { return instances_.size(); }

 private:
  struct Running {
    std::shared_ptr<Event> event;
    /// Its handler is off the thread: a reply is owed to `reply_to` (null
    /// once forgotten).
    bool away = false;
    ReplyTo* reply_to = nullptr;
  };
  using Events = std::unordered_map<std::int64_t, Running>;

  Reply start_instance(const protocol::Array& params);
  Reply instance_status(const protocol::Array& params, bool close);
  std::optional<Reply> handle_event(const protocol::Array& params, ReplyTo& later);
  std::optional<Reply> step(protocol::rpc::Command command, protocol::Array& params,
                            ReplyTo& later);
  /// Runs the event with Kong's answer; the reply, or nullopt while it is away.
  std::optional<Reply> advance(Events::iterator running, protocol::Value result,
                               std::optional<std::string> error, ReplyTo& later);
  void on_outcome(Event& event, Event::Outcome outcome) override;
  Reply finish(Events::iterator running, Event::Outcome outcome);
  void drop(Events::iterator running);
  static protocol::Value status_of(const Instance& instance);

  Instances& instances_;
  EventDriver& driver_;
  Events events_;
  std::int64_t next_event_id_ = 1;
};

}  // namespace kong::server
