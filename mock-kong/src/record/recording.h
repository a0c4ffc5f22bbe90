#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/protocol/phase.h"
#include "kong/protocol/value.h"

#include "record/recorded_lifecycle.h"

namespace kong::mock {

/// Where a recording's lifecycles go as traffic passes (RecordingFile).
class RecordingSink {
 public:
  virtual ~RecordingSink() = default;
  /// `finished`: lifecycles that are over, to add for good; `open`: those
  /// still under way as they stand, replacing the open ones given before.
  virtual void update(std::vector<RecordedLifecycle> finished,
                      const std::vector<const RecordedLifecycle*>& open) = 0;
};

/// What mock-kong --record makes of the messages between Kong and a plugin
/// server, whatever the protocol (the wire taps say what passed): plugin
/// instances, and their events grouped into request lifecycles.
///
/// Kong runs a request's phases one after another, and nothing on the wire
/// names the request: an event joins the oldest lifecycle of its instance
/// that has no event under way and whose phases came before its own, or
/// starts one. A lifecycle is over once no phase the plugin handles can
/// follow (after log, or after access when an exit leaves only phases it
/// does not handle). Under concurrent traffic, requests whose phases
/// interleave may be told apart wrongly; docs/recording.md says so.
class Recording {
 public:
  /// `phases`: the phases the plugin handles (its dump's). Lifecycles are
  /// numbered from `first_number` (after those of a recording continued).
  Recording(std::vector<Phase> phases, RecordingSink& sink, std::size_t first_number = 1);

  void instance_started(std::int64_t id, const std::string& config_text);
  void event_started(std::int64_t event, std::int64_t instance, Phase phase);
  /// The handler asked for a PDK call.
  void call(std::int64_t event, std::string method, protocol::Value args);
  /// Kong answered the event's latest call.
  void answered(std::int64_t event, protocol::Value answer);
  /// The event is over: its handler returned, or failed with `error`, the
  /// server's text (recorded as "<phase> handler failed: <error>", as a
  /// replay words it).
  void event_ended(std::int64_t event, const std::string& error = {});
  /// A key for an event the wire gives no id (ProtoBuf:1, or a HandleEvent
  /// that failed at once): negative, so never an id a server gave.
  std::int64_t new_event_key() { return --last_key_; }

  /// Whether something changed since the last sync().
  bool dirty() const { return dirty_; }
  /// Gives the sink what changed: lifecycles that ended, and those open.
  void sync();
  /// Ends every lifecycle as it stands and gives them to the sink: Kong or
  /// the server stopped, or mock-kong is told to.
  void finish();

  /// Events under way, for tests.
  std::size_t events_running() const { return events_.size(); }

 private:
  // The lifecycle an event belongs to, or nullptr.
  RecordedLifecycle* lifecycle_of(std::int64_t event);
  void end_event(RecordedLifecycle& l, std::int64_t event, const std::string& error);
  bool could_follow(const RecordedLifecycle& l, Phase phase) const;
  bool over(const RecordedLifecycle& l) const;
  void close(std::size_t number);

  std::vector<Phase> phases_;
  RecordingSink& sink_;
  std::map<std::int64_t, nlohmann::json> configs_;
  // Open lifecycles by number: the oldest first.
  std::map<std::size_t, RecordedLifecycle> open_;
  std::map<std::int64_t, std::size_t> events_;
  std::vector<RecordedLifecycle> finished_;
  std::size_t next_number_ = 1;
  std::int64_t last_key_ = 0;
  bool dirty_ = false;
};

}  // namespace kong::mock
