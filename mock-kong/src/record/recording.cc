#include "record/recording.h"

#include <algorithm>

#include <fmt/format.h>

#include "kong/protocol/method_table.h"

namespace kong::mock {
namespace {

// A request's phases in the order Kong runs them; preread stands where
// rewrite and access do in a stream session.
int rank(Phase p) {
  switch (p) {
    case Phase::certificate:
      return 0;
    case Phase::rewrite:
      return 1;
    case Phase::access:
    case Phase::preread:
      return 2;
    case Phase::response:
      return 3;
    case Phase::log:
      return 4;
  }
  return 5;
}

// Lifecycles kept open at most: past this, the oldest is taken as over, so
// that traffic whose lifecycles never end (the plugin loses its log events,
// say) does not hold memory without bound.
constexpr std::size_t kMaxOpen = 256;

// An event whose latest call Kong left unanswered, not ending the event:
// Kong raised an error there and abandoned it, or is still at work.
bool stalled(const RecordedLifecycle& l) {
  return l.running && !l.calls.empty() && !l.calls.back().answer &&
         l.calls.back().phase == l.phases.back();
}

}  // namespace

Recording::Recording(std::vector<Phase> phases, RecordingSink& sink, std::size_t first_number)
    : phases_(std::move(phases)), sink_(sink), next_number_(first_number) {}

void Recording::instance_started(std::int64_t id, const std::string& config_text) {
  configs_[id] = nlohmann::json::parse(config_text, nullptr, false);
  if (configs_[id].is_discarded())
    configs_[id] = nlohmann::json::object();
}

bool Recording::could_follow(const RecordedLifecycle& l, Phase phase) const {
  if (l.running || (!l.phases.empty() && rank(l.phases.back()) >= rank(phase)))
    return false;
  // After an exit only log runs.
  return !l.exited || phase == Phase::log;
}

bool Recording::over(const RecordedLifecycle& l) const {
  if (l.running || l.phases.empty())
    return false;
  for (Phase p : phases_) {
    if (could_follow(l, p))
      return false;
  }
  return true;
}

void Recording::event_started(std::int64_t event, std::int64_t instance, Phase phase) {
  RecordedLifecycle* joined = nullptr;
  for (auto& [number, l] : open_) {
    if (l.instance == instance && could_follow(l, phase)) {
      joined = &l;
      break;
    }
  }
  // Kong sends nothing more for an event it abandoned: the request's next
  // phase is the sign. Taken only when no lifecycle is waiting for it.
  // Ending an event may close its lifecycle, so the candidates are found
  // first and looked up again after.
  if (joined == nullptr) {
    std::vector<std::size_t> stalled_ones;
    for (const auto& [number, l] : open_) {
      if (l.instance == instance && stalled(l) && rank(l.phases.back()) < rank(phase))
        stalled_ones.push_back(number);
    }
    for (const std::size_t number : stalled_ones) {
      const auto e = std::find_if(events_.begin(), events_.end(),
                                  [number](const auto& entry) { return entry.second == number; });
      if (e != events_.end())
        end_event(open_.at(number), e->first, {});
      const auto it = open_.find(number);
      if (it != open_.end() && could_follow(it->second, phase)) {
        joined = &it->second;
        break;
      }
    }
  }
  if (joined == nullptr) {
    if (open_.size() >= kMaxOpen)
      close(open_.begin()->first);
    RecordedLifecycle& l = open_[next_number_];
    l.number = next_number_++;
    l.instance = instance;
    if (const auto it = configs_.find(instance); it != configs_.end())
      l.config = it->second;
    joined = &l;
  }
  joined->running = true;
  joined->phases.push_back(phase);
  events_[event] = joined->number;
  dirty_ = true;
}

RecordedLifecycle* Recording::lifecycle_of(std::int64_t event) {
  const auto it = events_.find(event);
  if (it == events_.end())
    return nullptr;
  const auto l = open_.find(it->second);
  return l == open_.end() ? nullptr : &l->second;
}

void Recording::call(std::int64_t event, std::string method, protocol::Value args) {
  RecordedLifecycle* l = lifecycle_of(event);
  if (l == nullptr)
    return;
  const protocol::MethodInfo* info = protocol::find_method(method);
  l->calls.push_back(RecordedCall{l->phases.back(), std::move(method), std::move(args), {}, false});
  dirty_ = true;
  // Kong answers no exit: the event is over from Kong's side, whatever the
  // server does next.
  if (info && info->ends_event) {
    l->exited = true;
    end_event(*l, event, {});
  }
}

void Recording::answered(std::int64_t event, protocol::Value answer) {
  RecordedLifecycle* l = lifecycle_of(event);
  if (l == nullptr || l->calls.empty() || l->calls.back().answer)
    return;
  l->calls.back().answer = std::move(answer);
  dirty_ = true;
}

void Recording::event_ended(std::int64_t event, const std::string& error) {
  if (RecordedLifecycle* l = lifecycle_of(event))
    end_event(*l, event, error);
  events_.erase(event);
}

void Recording::end_event(RecordedLifecycle& l, std::int64_t event, const std::string& error) {
  events_.erase(event);
  // A call left unanswered raised an error in Kong, unless it ends events.
  if (stalled(l)) {
    const protocol::MethodInfo* info = protocol::find_method(l.calls.back().method);
    if (!(info && info->ends_event)) {
      l.calls.back().abandoned = true;
      l.errors.push_back(l.calls.back().method + ": " + std::string(kAbandonedCall));
    }
  }
  l.running = false;
  if (!error.empty())
    l.errors.push_back(fmt::format("{} handler failed: {}", to_string(l.phases.back()), error));
  dirty_ = true;
  if (over(l))
    close(l.number);
}

void Recording::close(std::size_t number) {
  const auto it = open_.find(number);
  if (it == open_.end())
    return;
  for (auto e = events_.begin(); e != events_.end();) {
    e = e->second == number ? events_.erase(e) : std::next(e);
  }
  it->second.running = false;
  finished_.push_back(std::move(it->second));
  open_.erase(it);
  dirty_ = true;
}

void Recording::sync() {
  std::vector<const RecordedLifecycle*> open;
  open.reserve(open_.size());
  for (const auto& [number, l] : open_)
    open.push_back(&l);
  sink_.update(std::exchange(finished_, {}), open);
  dirty_ = false;
}

void Recording::finish() {
  while (!open_.empty())
    close(open_.begin()->first);
  sync();
}

}  // namespace kong::mock
