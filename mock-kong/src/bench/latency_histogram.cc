#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace kong::mock {

std::size_t LatencyHistogram::index_of(std::int64_t ns) {
  const auto v = static_cast<std::uint64_t>(std::clamp<std::int64_t>(ns, 0, kLongestNs));
  if (v < kSubBuckets)
    return static_cast<std::size_t>(v);
  // The leading bit picks the octave, the kSubBits after it the bucket.
  const int octave = std::bit_width(v) - 1;
  const std::size_t sub = (v >> (octave - kSubBits)) & (kSubBuckets - 1);
  return static_cast<std::size_t>(octave - kSubBits + 1) * kSubBuckets + sub;
}

std::int64_t LatencyHistogram::middle_of(std::size_t index) {
  if (index < kSubBuckets)
    return static_cast<std::int64_t>(index);
  const int octave = static_cast<int>(index / kSubBuckets) + kSubBits - 1;
  const std::uint64_t sub = index % kSubBuckets;
  const int shift = octave - kSubBits;
  const std::uint64_t low = (kSubBuckets + sub) << shift;
  return static_cast<std::int64_t>(low + ((std::uint64_t{1} << shift) >> 1));
}

void LatencyHistogram::record(Duration latency) {
  const std::int64_t ns = std::max<std::int64_t>(0, latency.count());
  ++counts_[index_of(ns)];
  min_ = count_ == 0 ? ns : std::min(min_, ns);
  max_ = std::max(max_, ns);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0)
    return;
  for (std::size_t i = 0; i < kBuckets; ++i)
    counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
}

LatencyHistogram::Duration LatencyHistogram::percentile(double p) const {
  if (count_ == 0)
    return Duration{};
  const auto rank = std::clamp<std::uint64_t>(
      static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_))), 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank)
      return Duration(std::clamp(middle_of(i), min_, max_));
  }
  return Duration(max_);
}

}  // namespace kong::mock
