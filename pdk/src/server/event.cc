#include "server/event.h"

#include <exception>
#include <memory>

namespace kong::server {

namespace ctx = boost::context;

Event::Event(std::int64_t id, Phase phase, std::shared_ptr<PluginInstance> instance,
             StackPool& stacks)
    : id_(id),
      phase_(phase),
      instance_(std::move(instance)),
      last_active_(std::chrono::steady_clock::now()) {
  fiber_ = ctx::fiber(std::allocator_arg, PooledStack(stacks), [this](ctx::fiber&& caller) {
    caller_ = std::move(caller);
    body();
    return std::move(caller_);
  });
}

// Destroying a suspended fiber unwinds its stack (Boost.Context throws
// forced_unwind through it), so an abandoned handler's destructors still run.
// Done first, while the members the handler may touch are still alive.
Event::~Event() {
  fiber_ = ctx::fiber();
}

void Event::body() {
  try {
    Pdk kong(*this);
    instance_->handle(phase_, kong);
    if (!ended_)
      outcome_ = {Outcome::Kind::returned, {}, {}};
  } catch (const ctx::detail::forced_unwind&) {
    throw;  // the event is being destroyed: let Boost.Context unwind
  } catch (const EventEnded&) {
    // send() has put the ending call in outcome_.
  } catch (const std::exception& e) {
    if (!ended_)
      outcome_ = {Outcome::Kind::failed, {}, e.what()};
  } catch (...) {
    if (!ended_)
      outcome_ = {Outcome::Kind::failed, {}, "handler threw a non-standard exception"};
  }
}

Event::Outcome Event::run(protocol::Value result, std::optional<std::string> error) {
  answer_ = std::move(result);
  answer_error_ = std::move(error);
  last_active_ = std::chrono::steady_clock::now();
  fiber_ = std::move(fiber_).resume();
  return std::move(outcome_);
}

protocol::Value Event::send(const protocol::MethodInfo& info, protocol::Array args) {
  // A handler that swallowed EventEnded (a `catch (...)` without rethrow)
  // must not send more calls, nor turn its exit into "ret": the exit stays
  // what Kong gets, and every later call unwinds again.
  if (ended_)
    throw EventEnded{};
  protocol::Map call;
  call.reserve(2);
  call.emplace_back(protocol::Value("Method"), protocol::Value(info.name));
  call.emplace_back(protocol::Value("Args"), protocol::Value(std::move(args)));
  if (info.ends_event) {
    // Kong runs the call and sends no Step back (protocol.md §3): end here.
    outcome_ = {Outcome::Kind::ended, protocol::Value(std::move(call)), {}};
    ended_ = true;
    throw EventEnded{};
  }
  outcome_ = {Outcome::Kind::call, protocol::Value(std::move(call)), {}};
  caller_ = std::move(caller_).resume();
  if (answer_error_)
    throw PdkError(info.name, *answer_error_);
  return std::move(answer_);
}

}  // namespace kong::server
