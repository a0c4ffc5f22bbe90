#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "server/event_loop.h"

namespace kong::server {

/// One connection from Kong, whatever the protocol: the socket work both
/// protocols share. Per wake-up it makes one read (the loop is level-
/// triggered, so what is left comes back in the next batch without a read
/// that fails with EAGAIN), lets the protocol handle what arrived, and
/// writes all pending output with one write.
class Connection : public Watcher {
 public:
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void on_ready(std::uint32_t events) final;

  /// The connection is over; the owner may destroy it after this batch.
  bool closed() const { return fd_ < 0; }

 protected:
  /// Takes ownership of `fd` (non-blocking) and starts watching it.
  Connection(int fd, EventLoop& loop);

  /// Where the next read puts its bytes.
  virtual std::span<char> receive_space() = 0;
  /// `n` bytes arrived in receive_space(): handle them, appending answers
  /// to out(). The connection writes them afterwards.
  virtual void received(std::size_t n) = 0;

  /// For work on this connection that comes from elsewhere than its
  /// readiness (an outcome posted back to the loop): while alive, no other
  /// serving thread handles the connection, even while a handler run from
  /// it is out of the loop's lock (EventLoop::hold).
  class Held {
   public:
    explicit Held(Connection& connection);
    ~Held();
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    Connection& connection_;
    int fd_;
    std::uint32_t generation_ = 0;
  };

  /// Output waiting to be written.
  std::string& out() { return out_; }
  /// Writes what is pending; what the socket does not take waits for EPOLLOUT.
  void flush();
  /// Closes once the pending output is written; input is ignored from now on.
  void close_after_write() { closing_ = true; }
  bool closing() const { return closing_; }

  /// Stops reading while an answer is owed that comes later (a handler in
  /// kong.blocking): answers go out in the order of the requests, and Kong
  /// sends nothing more on a connection before its answer anyway. A peer
  /// that hangs up meanwhile closes the connection.
  void pause_input();
  /// Reads again; what arrived meanwhile waits in the protocol's buffer.
  void resume_input();
  bool input_paused() const { return paused_; }

 private:
  void read();
  void close();
  /// Tells the loop what to wait for: input unless paused, output if pending.
  void watch();

  int fd_;
  EventLoop& loop_;
  std::string out_;
  std::size_t out_sent_ = 0;
  bool want_write_ = false;
  bool closing_ = false;
  bool paused_ = false;
};

}  // namespace kong::server
