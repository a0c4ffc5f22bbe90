#include "server/graceful_shutdown.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kong::server {

GracefulShutdown::GracefulShutdown(EventLoop& loop, std::chrono::milliseconds grace,
                                   Actions actions)
    : loop_(loop),
      grace_(grace),
      actions_(std::move(actions)),
      signal_watch_([this] { on_signal(); }),
      timer_watch_([this] { on_deadline(); }) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal_fd_ = ::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0)
    throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  loop_.add(signal_fd_, EPOLLIN, &signal_watch_);
}

GracefulShutdown::~GracefulShutdown() {
  if (timer_fd_ >= 0) {
    loop_.remove(timer_fd_);
    ::close(timer_fd_);
  }
  loop_.remove(signal_fd_);
  ::close(signal_fd_);
}

void GracefulShutdown::on_signal() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (draining_) {
      actions_.force();
      return;
    }
    draining_ = true;
    timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (timer_fd_ >= 0) {
      itimerspec when{};
      const auto ns = std::chrono::nanoseconds(grace_).count();
      when.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
      when.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
      if (ns == 0)
        when.it_value.tv_nsec = 1;  // a zero it_value would disarm the timer
      ::timerfd_settime(timer_fd_, 0, &when, nullptr);
      loop_.add(timer_fd_, EPOLLIN, &timer_watch_);
    }
    actions_.drain();
  }
}

void GracefulShutdown::on_deadline() {
  std::uint64_t expirations = 0;
  [[maybe_unused]] const ssize_t n = ::read(timer_fd_, &expirations, sizeof expirations);
  actions_.force();
}

}  // namespace kong::server
