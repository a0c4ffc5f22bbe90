#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/context/fiber.hpp>

#include "kong/pdk/channel.h"
#include "kong/pdk/plugin.h"

#include "server/stack_pool.h"
#include "server/stall_monitor.h"

namespace kong::server {

class Event;

/// What a handler did when it last stopped, for Kong. Protocol-neutral:
/// each connection puts a call on the wire its own way.
struct EventOutcome {
  enum class Kind { call, returned, ended, failed, blocked } kind;
  /// call: the PDK function called, which waits for Kong's answer; ended:
  /// the call that ends the event (kong.response.exit), which Kong never
  /// answers. Null otherwise.
  const protocol::MethodInfo* method = nullptr;
  /// call, ended: its positional arguments.
  protocol::Array args;
  /// failed: why the handler failed.
  std::string error;
  /// blocked: the work the handler gave kong.blocking, to run off this
  /// thread; the handler waits for it (EventDriver). Never Kong's.
  const std::function<void()>* work = nullptr;
};

/// Who hears an event's outcome when it comes later than the call that
/// resumed the event (EventDriver::advance): the connection or dispatcher
/// answering Kong for it.
class OutcomeListener {
 public:
  virtual void on_outcome(Event& event, EventOutcome outcome) = 0;

 protected:
  ~OutcomeListener() = default;
};

/// One phase handler run for one request, on a stackful fiber of its own.
/// The handler runs on the thread where Kong's messages are read: at each
/// PDK call the fiber hands the call back to the connection that is
/// answering Kong, and Kong's answer (a MsgPack:1 Step on whichever
/// connection it arrives, a ProtoBuf:1 frame on the event's own) resumes it
/// with Kong's result, on the thread that read it. No thread hand-off per
/// call. Work the handler gives
/// kong.blocking leaves the thread (an outcome `blocked`), and EventDriver
/// resumes the handler when it is done.
class Event final : public Channel {
 public:
  /// `stalls`, when given, hears how long each run of the handler held the
  /// thread. `unlocked`: the handler runs out of the loop's lock, on
  /// whichever serving thread reads Kong's answer (EventDriver).
  Event(std::int64_t id, Phase phase, std::shared_ptr<PluginInstance> instance, StackPool& stacks,
        StallMonitor* stalls = nullptr, bool unlocked = false);
  ~Event() override;

  using Outcome = EventOutcome;

  /// Starts the handler, or resumes it with Kong's answer to its last call:
  /// a result, or an error text (MsgPack:1's StepError; a call that could not
  /// be sent), which the call throws as PdkError. Returns when it calls again
  /// or ends. After an `ended` outcome the handler waits too: end() once the
  /// call is sent, or run() with an error when it could not be.
  Outcome run(protocol::Value result, std::optional<std::string> error = std::nullopt);

  /// The ending call went to Kong: unwinds the handler (EventEnded), so its
  /// destructors run on its own stack. Later calls of a handler that
  /// swallows the unwinding throw again; nothing more reaches Kong.
  void end();

  std::int64_t id() const { return id_; }
  Phase phase() const override { return phase_; }
  std::chrono::steady_clock::time_point last_active() const { return last_active_; }
  bool unlocked() const { return unlocked_; }
  /// How long the handler has run so far, all its runs together.
  std::chrono::steady_clock::duration run_time() const { return run_time_; }

  /// Who waits for this event's outcome while its handler is away (in
  /// kong.blocking); null when nobody does any more (Kong gave it up), and
  /// then the handler is not resumed. Set and read holding the loop's lock.
  OutcomeListener* listener() const { return listener_; }
  void set_listener(OutcomeListener* listener) { listener_ = listener; }

  /// Hands `work` to the server (an outcome `blocked`) and waits for it.
  void run_blocking(const std::function<void()>& work) override;

 protected:
  protocol::Value send(const protocol::MethodInfo& info, protocol::Array args) override;

 private:
  void body();
  /// Once per event: the handler caught the EventEnded of its exit.
  void report_swallowed_exit();

  std::int64_t id_;
  Phase phase_;
  std::shared_ptr<PluginInstance> instance_;
  StallMonitor* stalls_;
  bool unlocked_;
  boost::context::fiber fiber_;   // the handler, while suspended
  boost::context::fiber caller_;  // the I/O loop, while the handler runs
  Outcome outcome_{Outcome::Kind::returned, nullptr, {}, {}};
  protocol::Value answer_;
  std::optional<std::string> answer_error_;
  bool ended_ = false;  // a call ended the event (kong.response.exit) and went out
  bool swallow_reported_ = false;
  bool in_blocking_work_ = false;  // kong.blocking's work is running elsewhere
  bool started_ = false;
  // ThreadSanitizer's names for the handler's stack and for the one that
  // resumed it (tsan_fiber.h); null in other builds.
  void* tsan_fiber_;
  void* tsan_caller_ = nullptr;
  OutcomeListener* listener_ = nullptr;
  std::chrono::steady_clock::time_point last_active_;
  std::chrono::steady_clock::duration run_time_{0};
};

/// The error text of a failed handler, as Kong logs it:
/// "<plugin> <phase> handler failed: <what>".
std::string handler_failure(std::string_view plugin_name, Phase phase, std::string_view error);

}  // namespace kong::server
