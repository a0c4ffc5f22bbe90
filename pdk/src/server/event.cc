#include "server/event.h"

#include <cstdio>
#include <exception>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "server/tsan_fiber.h"

namespace kong::server {

namespace ctx = boost::context;

Event::Event(std::int64_t id, Phase phase, std::shared_ptr<PluginInstance> instance,
             StackPool& stacks, StallMonitor* stalls, bool unlocked)
    : id_(id),
      phase_(phase),
      instance_(std::move(instance)),
      stalls_(stalls),
      unlocked_(unlocked),
      tsan_fiber_(tsan::create_fiber()),
      last_active_(std::chrono::steady_clock::now()) {
  fiber_ = ctx::fiber(std::allocator_arg, PooledStack(stacks), [this](ctx::fiber&& caller) {
    caller_ = std::move(caller);
    body();
    tsan::switch_to_fiber(tsan_caller_);
    return std::move(caller_);
  });
}

// Destroying a suspended fiber unwinds its stack (Boost.Context throws
// forced_unwind through it), so an abandoned handler's destructors still run.
// Done first, while the members the handler may touch are still alive.
Event::~Event() {
  if (started_ && fiber_) {
    tsan_caller_ = tsan::current_fiber();
    tsan::switch_to_fiber(tsan_fiber_);  // body() switches back as it unwinds
  }
  fiber_ = ctx::fiber();
  tsan::destroy_fiber(tsan_fiber_);
}

void Event::body() {
  try {
    Pdk kong(*this);
    instance_->handle(phase_, kong);
    if (!ended_)
      outcome_ = {Outcome::Kind::returned, nullptr, {}, {}};
    else
      report_swallowed_exit();
  } catch (const ctx::detail::forced_unwind&) {
    // The event is being destroyed: let Boost.Context unwind, back to ~Event.
    tsan::switch_to_fiber(tsan_caller_);
    throw;
  } catch (const EventEnded&) {
    // end(): the ending call went out, and the handler has unwound.
  } catch (const std::exception& e) {
    if (!ended_)
      outcome_ = {Outcome::Kind::failed, nullptr, {}, e.what()};
    else
      report_swallowed_exit();
  } catch (...) {
    if (!ended_)
      outcome_ = {Outcome::Kind::failed, nullptr, {}, "handler threw a non-standard exception"};
    else
      report_swallowed_exit();
  }
}

// The exit stands (Kong has it), but code the author meant to skip ran: a
// bug worth a line in Kong's log, where nothing else would show it.
void Event::report_swallowed_exit() {
  if (std::exchange(swallow_reported_, true))
    return;
  const std::string line = fmt::format(
      "{} handler went on after kong.response.exit: it caught the kong::EventEnded that ends "
      "the handler (a catch (...) must rethrow it)\n",
      to_string(phase_));
  std::fwrite(line.data(), 1, line.size(), stderr);
}

Event::Outcome Event::run(protocol::Value result, std::optional<std::string> error) {
  answer_ = std::move(result);
  answer_error_ = std::move(error);
  last_active_ = std::chrono::steady_clock::now();
  started_ = true;
  tsan_caller_ = tsan::current_fiber();
  tsan::switch_to_fiber(tsan_fiber_);
  fiber_ = std::move(fiber_).resume();
  // From Kong's answer to the handler's next call (or its end): all that
  // time the thread served nothing else.
  const auto held = std::chrono::steady_clock::now() - last_active_;
  run_time_ += held;
  if (stalls_)
    stalls_->observe(phase_, held);
  return std::move(outcome_);
}

void Event::end() {
  run(protocol::Value{});  // send() takes an answer without error as "sent"
}

void Event::run_blocking(const std::function<void()>& work) {
  outcome_ = {Outcome::Kind::blocked, nullptr, {}, {}, &work};
  in_blocking_work_ = true;
  tsan::switch_to_fiber(tsan_caller_);
  caller_ = std::move(caller_).resume();
  in_blocking_work_ = false;
}

protocol::Value Event::send(const protocol::MethodInfo& info, protocol::Array args) {
  // The work runs on another thread while the handler's fiber waits: it
  // cannot be the one to talk to Kong.
  if (in_blocking_work_) {
    throw PdkError(info.name,
                   "called inside kong.blocking's work, which runs off the event; make PDK "
                   "calls before or after kong.blocking");
  }
  // A handler that swallowed EventEnded (a `catch (...)` without rethrow)
  // must not send more calls, nor turn its exit into "ret": the exit stays
  // what Kong gets, and every later call unwinds again.
  if (ended_) {
    report_swallowed_exit();
    throw EventEnded{};
  }
  outcome_ = {
      info.ends_event ? Outcome::Kind::ended : Outcome::Kind::call, &info, std::move(args), {}};
  tsan::switch_to_fiber(tsan_caller_);
  caller_ = std::move(caller_).resume();
  // A call that never reached Kong (it has no ProtoBuf:1 rpc, say) fails here,
  // an exit included: the handler may catch it and go on.
  if (answer_error_)
    throw PdkError(info.name, *answer_error_);
  if (info.ends_event) {
    // Kong runs the call and sends no answer (protocol.md §3, §4): the rest
    // of the handler is not run.
    ended_ = true;
    throw EventEnded{};
  }
  return std::move(answer_);
}

std::string handler_failure(std::string_view plugin_name, Phase phase, std::string_view error) {
  return std::string(plugin_name) + " " + std::string(to_string(phase)) +
         " handler failed: " + std::string(error);
}

}  // namespace kong::server
