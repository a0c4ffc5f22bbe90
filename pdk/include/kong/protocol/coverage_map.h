#pragma once

// The shared memory a plugin built with kong_plugin_fuzz_coverage() records
// its coverage in, and mock-kong --fuzz reads after each case: the one
// definition both sides map.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace kong::protocol {

/// The environment variable naming the file to map (mock-kong sets it for
/// the plugin server it starts; unset, the plugin records into its own
/// memory and nothing reads it).
inline constexpr const char* kCoverageMapEnv = "KONG_FUZZ_COVERAGE";

/// A comparison of an input-derived value with a constant (`key[0] == 'K'`):
/// putting `constant` where `operand` was in the input passes it.
struct Comparison {
  std::uint64_t constant;
  std::uint64_t operand;
  /// Bytes compared: 1, 2, 4 or 8.
  std::uint64_t size;
};

struct CoverageMap {
  /// Edges between the plugin's basic blocks, hashed as AFL does (this
  /// block's offset xor the previous one's, shifted); hit counts saturate.
  static constexpr std::size_t kEdges = std::size_t{1} << 16;
  /// The latest comparisons with constants, in a ring.
  static constexpr std::size_t kComparisons = 1024;

  std::uint8_t edges[kEdges];
  std::atomic<std::uint64_t> comparisons_made;
  Comparison comparisons[kComparisons];
};

}  // namespace kong::protocol
