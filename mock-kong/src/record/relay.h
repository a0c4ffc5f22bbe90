#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kong/result.h"

#include "record/wire_tap.h"

namespace kong::mock {

/// Stands where Kong expects a plugin server's socket and passes every byte
/// of every connection Kong makes there to the real server's socket and
/// back, unchanged and at once: nothing is held for the recording, which
/// reads a copy (a WireTap per connection) after the bytes went on. A
/// connection the server closes is closed to Kong, and the other way round.
class Relay {
 public:
  struct Options {
    /// Where Kong connects; a stale socket file there is replaced.
    std::string listen_path;
    /// Where the real server listens.
    std::string server_path;
    std::function<std::unique_ptr<WireTap>()> make_tap;
    /// Called between batches of traffic, at least every `tick_every`
    /// (and at once when idle): returns false to end run().
    std::function<bool(bool idle)> tick;
    std::chrono::milliseconds tick_every{50};
  };

  /// Listens at `listen_path`. The error names the path.
  static Result<std::unique_ptr<Relay>> listen(Options options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  /// Relays until tick() returns false; an error only when the relay
  /// itself fails (epoll).
  Status run();

  /// Connections Kong made so far.
  std::size_t connections() const { return accepted_; }

 private:
  struct Pair;
  struct Side;
  Relay() = default;
  void accept_all();
  void pump(Side& from);
  void flush(Side& to);
  void close_pair(Pair& pair);
  void watch(Side& side);
  int poll_briefly(::epoll_event* events, int max);

  Options options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  std::size_t accepted_ = 0;
  std::vector<std::unique_ptr<Pair>> pairs_;
  // The pairs the latest batch of readiness touched.
  std::vector<Pair*> touched_;
  // How long poll_briefly() polls.
  static constexpr std::chrono::microseconds kPollFor{100};
  // Connections whose server has yet to answer what Kong sent.
  int awaiting_server_ = 0;
};

}  // namespace kong::mock
