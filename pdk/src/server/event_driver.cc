#include "server/event_driver.h"

#include <utility>

namespace kong::server {

EventDriver::EventDriver(EventLoop& loop, BlockingPool& blocking, StackPool& stacks,
                         StallMonitor* stalls, Workers* workers, OffloadSettings offload)
    : loop_(loop),
      blocking_(blocking),
      stacks_(stacks),
      stalls_(stalls),
      workers_(workers != nullptr && workers->size() > 0 ? workers : nullptr),
      offload_(offload) {}

std::shared_ptr<Event> EventDriver::start(std::int64_t id, Phase phase,
                                          std::shared_ptr<PluginInstance> plugin) {
  if (!offloading(phase))
    return std::make_shared<Event>(id, phase, std::move(plugin), stacks_, stalls_);
  // A worker's events hold no other event up: the stall monitor is for the
  // I/O thread. An event that ends while suspended (Kong gave it up) is
  // unwound at home too, wherever its last reference goes.
  Worker& home = workers_->next();
  home.event_homed();
  return std::shared_ptr<Event>(new Event(id, phase, std::move(plugin), stacks_, nullptr, &home),
                                [&home](Event* event) {
                                  auto gone = [&home, event] {
                                    delete event;
                                    home.event_gone();
                                  };
                                  if (home.is_current())
                                    gone();
                                  else
                                    home.post(gone);
                                });
}

std::optional<Event::Outcome> EventDriver::advance(const std::shared_ptr<Event>& event,
                                                   protocol::Value result,
                                                   std::optional<std::string> error,
                                                   OutcomeListener& listener) {
  if (Worker* home = event->home()) {
    event->set_listener(&listener);
    ++elsewhere_;
    loop_.hold_busy_poll();  // released when the outcome comes back
    home->post([this, event, result = std::move(result), error = std::move(error)]() mutable {
      run_at_home(event, std::move(result), std::move(error));
    });
    return std::nullopt;
  }
  Event::Outcome outcome = event->run(std::move(result), std::move(error));
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
  if (Worker* home = event->home())
    home->post([event] { event->end(); });
  else
    event->end();
}

void EventDriver::run_at_home(const std::shared_ptr<Event>& event, protocol::Value result,
                              std::optional<std::string> error) {
  Event::Outcome outcome = event->run(std::move(result), std::move(error));
  if (outcome.kind == Event::Outcome::Kind::blocked) {
    block(event, *outcome.work);
    return;
  }
  loop_.post([this, event, outcome = std::move(outcome)]() mutable {
    deliver(event, std::move(outcome));
  });
}

void EventDriver::block(std::shared_ptr<Event> event, const std::function<void()>& work) {
  // `work` lives on the handler's stack, which waits until it is done.
  blocking_.submit([this, event = std::move(event), &work]() mutable {
    work();
    if (Worker* home = event->home()) {
      home->post([this, event = std::move(event)] {
        run_at_home(event, protocol::Value{}, std::nullopt);
      });
    } else {
      loop_.post([this, event = std::move(event)] { resume_after_work(event); });
    }
  });
}

void EventDriver::resume_after_work(const std::shared_ptr<Event>& event) {
  // Nobody waits any more: the handler is not resumed, and unwinds when
  // the last reference to its event goes.
  if (event->listener() == nullptr) {
    --elsewhere_;
    return;
  }
  Event::Outcome outcome = event->run(protocol::Value{});
  if (outcome.kind == Event::Outcome::Kind::blocked) {
    block(event, *outcome.work);
    return;
  }
  deliver(event, std::move(outcome));
}

void EventDriver::deliver(const std::shared_ptr<Event>& event, Event::Outcome outcome) {
  --elsewhere_;
  if (event->home() != nullptr)
    loop_.release_busy_poll();
  if (outcome.kind != Event::Outcome::Kind::call)
    account(*event);
  OutcomeListener* listener = event->listener();
  if (listener == nullptr)
    return;
  event->set_listener(nullptr);
  listener->on_outcome(*event, std::move(outcome));
}

void EventDriver::account(const Event& event) {
  const auto phase = static_cast<unsigned>(event.phase());
  if (workers_ == nullptr || !(offload_.concurrent_phases & (1u << phase)))
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
