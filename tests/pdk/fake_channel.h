#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kong/pdk/channel.h"
#include "kong/protocol/value.h"

namespace kong::test {

/// An in-memory Channel: records every call the typed PDK sends and answers
/// from a script, as Kong would answer over the wire.
class FakeChannel final : public Channel {
 public:
  struct Call {
    std::string method;
    protocol::Array args;
    bool operator==(const Call&) const = default;
  };

  explicit FakeChannel(Phase phase = Phase::access) : phase_(phase) {}

  Phase phase() const override { return phase_; }

  /// Queues Kong's answer to the next call; a call with none queued gets nil.
  FakeChannel& answer(protocol::Value result) {
    answers_.push_back(std::move(result));
    return *this;
  }

  const std::vector<Call>& calls() const { return calls_; }

 protected:
  protocol::Value send(const protocol::MethodInfo& info, protocol::Array args) override {
    calls_.push_back({std::string(info.name), std::move(args)});
    // Kong never answers kong.response.exit: the event ends there.
    if (info.ends_event)
      throw EventEnded{};
    if (answers_.empty())
      return protocol::Value{};
    protocol::Value next = std::move(answers_.front());
    answers_.pop_front();
    return next;
  }

 private:
  Phase phase_;
  std::deque<protocol::Value> answers_;
  std::vector<Call> calls_;
};

/// The calls `channel` recorded are `expected`; a failure names the first
/// call that differs and its index.
inline ::testing::AssertionResult CallsAre(const FakeChannel& channel,
                                           const std::vector<FakeChannel::Call>& expected) {
  const auto& got = channel.calls();
  for (std::size_t i = 0; i < std::max(got.size(), expected.size()); ++i) {
    auto show = [](const std::vector<FakeChannel::Call>& calls, std::size_t i) {
      if (i >= calls.size())
        return std::string("no call");
      return calls[i].method + " " + protocol::to_debug_string(protocol::Value(calls[i].args));
    };
    if (i >= got.size() || i >= expected.size() || !(got[i] == expected[i])) {
      return ::testing::AssertionFailure()
             << "call " << i << ": expected " << show(expected, i) << ", got " << show(got, i);
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kong::test
