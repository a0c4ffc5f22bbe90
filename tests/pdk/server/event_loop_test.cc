#include "server/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <functional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace kong::test {
namespace {

TEST(EventLoop, RunsTasksPostedFromOtherThreadsOnItsOwnInTheirOrder) {
  server::EventLoop loop;
  std::vector<int> seen;
  std::thread::id ran_on;
  std::thread poster([&] {
    for (int i = 0; i < 100; ++i) {
      loop.post([&, i] {
        seen.push_back(i);
        ran_on = std::this_thread::get_id();
        if (i == 99)
          loop.stop();
      });
    }
  });
  loop.run([] {});
  poster.join();
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(seen[i], i);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(EventLoop, RunsATaskPostedByAPostedTask) {
  server::EventLoop loop;
  int depth = 0;
  loop.post([&] {
    ++depth;
    loop.post([&] {
      ++depth;
      loop.stop();
    });
  });
  loop.run([] {});
  EXPECT_EQ(depth, 2);
}

/// Calls `fn` when its descriptor is readable.
class Ready final : public server::Watcher {
 public:
  explicit Ready(std::function<void()> fn) : fn_(std::move(fn)) {}
  void on_ready(std::uint32_t) override { fn_(); }

 private:
  std::function<void()> fn_;
};

TEST(EventLoop, DropsAReadinessOfADescriptorRemovedEarlierInTheSameBatch) {
  server::EventLoop loop;
  const int a = ::eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);  // readable at once
  const int b = ::eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
  int ran = 0;
  // Whichever comes first removes the other, and puts a watcher on a
  // descriptor of the same number that must not hear the old readiness.
  int replacement = -1;
  int removed = -1;
  Ready reused([&] { ADD_FAILURE() << "a readiness reported before the number was reused"; });
  auto first = [&](int other) {
    ++ran;
    removed = other;
    loop.remove(other);
    ::close(other);
    replacement = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);  // the lowest number: other's
    loop.add(replacement, EPOLLIN, &reused);
    loop.post([&] { loop.stop(); });
  };
  Ready on_a([&] { first(b); });
  Ready on_b([&] { first(a); });
  loop.add(a, EPOLLIN, &on_a);
  loop.add(b, EPOLLIN, &on_b);
  loop.run([] {});
  EXPECT_EQ(ran, 1);
  for (int fd : {removed == a ? b : a, replacement}) {
    loop.remove(fd);
    ::close(fd);
  }
}

}  // namespace
}  // namespace kong::test
