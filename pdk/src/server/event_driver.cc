#include "server/event_driver.h"

#include <utility>

namespace kong::server {

std::optional<Event::Outcome> EventDriver::advance(const std::shared_ptr<Event>& event,
                                                   protocol::Value result,
                                                   std::optional<std::string> error,
                                                   OutcomeListener& listener) {
  Event::Outcome outcome = event->run(std::move(result), std::move(error));
  if (outcome.kind != Event::Outcome::Kind::blocked)
    return outcome;
  event->set_listener(&listener);
  block(event, *outcome.work);
  return std::nullopt;
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
  if (event->listener() == nullptr)
    return;
  Event::Outcome outcome = event->run(protocol::Value{});
  if (outcome.kind == Event::Outcome::Kind::blocked) {
    block(event, *outcome.work);
    return;
  }
  OutcomeListener* listener = event->listener();
  event->set_listener(nullptr);
  listener->on_outcome(*event, std::move(outcome));
}

}  // namespace kong::server
