#include "server/event_loop.h"

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

}  // namespace
}  // namespace kong::test
