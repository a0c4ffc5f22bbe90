#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace kong::mock {

/// Latencies counted in buckets whose width is at most 1/128 of their
/// value (HdrHistogram's log-linear layout), so a percentile read from it is
/// within 0.4 % of the exact one from 1 µs to 60 s; below 128 ns every
/// nanosecond has its own bucket. Fixed size (30 KiB): recording is an
/// increment, and histograms of trials add up.
class LatencyHistogram {
 public:
  using Duration = std::chrono::nanoseconds;

  void record(Duration latency);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  /// 0 when empty.
  Duration min() const { return count_ == 0 ? Duration{} : Duration(min_); }
  Duration max() const { return Duration(max_); }
  /// The latency `p` (0 < p <= 1) of the events were at most: the event of
  /// rank ceil(p * count), read at its bucket's middle and kept within the
  /// exact min and max. 0 when empty.
  Duration percentile(double p) const;

  /// The longest latency told apart from the next; longer ones are counted
  /// as this (max() stays exact).
  static constexpr std::int64_t kLongestNs = (std::int64_t{1} << 36) - 1;  // 68.7 s

 private:
  static constexpr int kSubBits = 7;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = (36 - kSubBits + 1) * kSubBuckets;
  static std::size_t index_of(std::int64_t ns);
  /// The middle of bucket `index`, in nanoseconds.
  static std::int64_t middle_of(std::size_t index);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace kong::mock
