#include "server/event_driver.h"

#include <utility>

namespace kong::server {

EventDriver::EventDriver(EventLoop& loop, BlockingPool& blocking, StackPool& stacks,
                         StallMonitor* stalls, LoopThreads* threads, OffloadSettings offload)
    : loop_(loop),
      blocking_(blocking),
      stacks_(stacks),
      stalls_(stalls),
      threads_(threads != nullptr && offload.threads > 1 ? threads : nullptr),
      offload_(offload) {}

std::shared_ptr<Event> EventDriver::start(std::int64_t id, Phase phase,
                                          std::shared_ptr<PluginInstance> plugin) {
  // One out of the lock holds no other event up: the stall monitor is for
  // handlers that hold the lock.
  const bool unlocked = offloading(phase);
  // Its threads serve (again, when they ended idle since).
  if (unlocked)
    threads_->spread(offload_.threads);
  return std::make_shared<Event>(id, phase, std::move(plugin), stacks_,
                                 unlocked ? nullptr : stalls_, unlocked);
}

Event::Outcome EventDriver::run(const std::shared_ptr<Event>& event, protocol::Value&& result,
                                std::optional<std::string>&& error) {
  if (!event->unlocked())
    return event->run(std::move(result), std::move(error));
  Event::Outcome outcome{Event::Outcome::Kind::returned, nullptr, {}, {}, nullptr};
  ++elsewhere_;
  threads_->run_unlocked([&] { outcome = event->run(std::move(result), std::move(error)); });
  --elsewhere_;
  return outcome;
}

std::optional<Event::Outcome> EventDriver::advance(const std::shared_ptr<Event>& event,
                                                   protocol::Value result,
                                                   std::optional<std::string> error,
                                                   OutcomeListener& listener) {
  Event::Outcome outcome = run(event, std::move(result), std::move(error));
  if (outcome.kind == Event::Outcome::Kind::blocked) {
    event->set_listener(&listener);
    ++elsewhere_;
    block(event, *outcome.work);
    return std::nullopt;
  }
  if (outcome.kind != Event::Outcome::Kind::call)
    account(*event);
  return outcome;
}

void EventDriver::end(const std::shared_ptr<Event>& event) {
  // Its destructors may be as heavy as the rest of it.
  if (event->unlocked())
    threads_->run_unlocked([&] { event->end(); });
  else
    event->end();
}

void EventDriver::block(std::shared_ptr<Event> event, const std::function<void()>& work) {
  // `work` lives on the handler's stack, which waits until it is done.
  blocking_.submit([this, event = std::move(event), &work]() mutable {
    work();
    loop_.post([this, event = std::move(event)] { resume_after_work(event); });
  });
}

void EventDriver::resume_after_work(const std::shared_ptr<Event>& event) {
  // Nobody waits any more: the handler is not resumed, and unwinds when
  // the last reference to its event goes.
  if (event->listener() == nullptr) {
    --elsewhere_;
    return;
  }
  Event::Outcome outcome = run(event, protocol::Value{}, std::optional<std::string>{});
  if (outcome.kind == Event::Outcome::Kind::blocked) {
    block(event, *outcome.work);
    return;
  }
  --elsewhere_;
  if (outcome.kind != Event::Outcome::Kind::call)
    account(*event);
  // Read again: a handler run out of the lock gave other threads the lock.
  OutcomeListener* listener = event->listener();
  if (listener == nullptr)
    return;
  event->set_listener(nullptr);
  listener->on_outcome(*event, std::move(outcome));
}

void EventDriver::account(const Event& event) {
  const auto phase = static_cast<unsigned>(event.phase());
  if (threads_ == nullptr || !(offload_.concurrent_phases & (1u << phase)))
    return;
  // A moving average over about the last eight events.
  const std::int64_t ns = std::chrono::nanoseconds(event.run_time()).count();
  cost_ns_[phase] += (ns - cost_ns_[phase]) / 8;
  const std::int64_t above = std::chrono::nanoseconds(offload_.offload_above).count();
  if (cost_ns_[phase] > above)
    offloaded_[phase] = true;
  else if (cost_ns_[phase] < above / 2)
    offloaded_[phase] = false;
}

}  // namespace kong::server
