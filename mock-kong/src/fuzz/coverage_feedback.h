#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kong/protocol/coverage_map.h"
#include "kong/result.h"

namespace kong::mock {

/// The coverage a plugin built with kong_plugin_fuzz_coverage() shares: a
/// file mock-kong creates and maps, named to the plugin server by
/// KONG_FUZZ_COVERAGE. A plugin built without it leaves the map empty, and
/// the fuzzing goes on blind.
class CoverageFeedback {
 public:
  /// Creates the map as `file` (in a private directory).
  static Result<std::unique_ptr<CoverageFeedback>> create(const std::string& file);
  ~CoverageFeedback();
  CoverageFeedback(const CoverageFeedback&) = delete;
  CoverageFeedback& operator=(const CoverageFeedback&) = delete;

  const std::string& file() const { return file_; }
  /// Before a case: what the plugin records next is that case's.
  void reset();
  /// After a case: whether it took an edge, or an edge as many times (in
  /// AFL's buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), as no case
  /// before it did.
  bool found_new();
  /// The case's comparisons with constants, without repeats.
  std::vector<protocol::Comparison> comparisons() const;
  /// Edges taken by some case so far; 0 when the plugin is not guided.
  std::size_t edges() const { return edges_; }

 private:
  CoverageFeedback(std::string file, protocol::CoverageMap* map)
      : file_(std::move(file)), map_(map) {}

  std::string file_;
  protocol::CoverageMap* map_;
  /// Per edge, the hit-count buckets seen so far.
  std::vector<std::uint8_t> seen_ = std::vector<std::uint8_t>(protocol::CoverageMap::kEdges);
  std::size_t edges_ = 0;
};

}  // namespace kong::mock
