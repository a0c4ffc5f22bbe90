#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kong/protocol/value.h"

#include "server/blocking_pool.h"
#include "server/event.h"
#include "server/event_loop.h"

namespace kong::server {

/// Advances events to what Kong must hear, wherever their handlers wait.
/// A handler runs on the loop's thread until its next PDK call, end or
/// failure: the usual case, answered at once. When it hands work to
/// kong.blocking, the work goes to the blocking pool, the loop serves other
/// events meanwhile, and the handler resumes on the loop's thread once the
/// work is done; what it then does reaches the event's listener.
class EventDriver {
 public:
  EventDriver(EventLoop& loop, BlockingPool& blocking) : loop_(loop), blocking_(blocking) {}

  /// Runs `event` with Kong's answer to its last call (nothing, to start it).
  /// Returns the outcome when it came at once. Otherwise nullopt: `listener`
  /// hears it later on the loop's thread, unless the event's listener is
  /// cleared first (Kong gave the event up), in which case the handler is
  /// not resumed and unwinds when its last reference goes.
  std::optional<Event::Outcome> advance(const std::shared_ptr<Event>& event, protocol::Value result,
                                        std::optional<std::string> error,
                                        OutcomeListener& listener);

 private:
  /// Runs the blocked handler's work on the pool, then resumes it here.
  void block(std::shared_ptr<Event> event, const std::function<void()>& work);
  void resume_after_work(const std::shared_ptr<Event>& event);

  EventLoop& loop_;
  BlockingPool& blocking_;
};

}  // namespace kong::server
