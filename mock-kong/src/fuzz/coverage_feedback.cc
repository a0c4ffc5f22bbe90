#include "fuzz/coverage_feedback.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace kong::mock {
namespace {

using protocol::CoverageMap;

// AFL's hit-count buckets, one bit each: a loop run 4 times and one run 40
// times are different behaviour, 41 and 42 are not.
std::uint8_t bucket(std::uint8_t hits) {
  if (hits <= 3)
    return static_cast<std::uint8_t>(1u << (hits - 1));
  if (hits <= 7)
    return 8;
  if (hits <= 15)
    return 16;
  if (hits <= 31)
    return 32;
  if (hits <= 127)
    return 64;
  return 128;
}

}  // namespace

Result<std::unique_ptr<CoverageFeedback>> CoverageFeedback::create(const std::string& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Error{fmt::format("cannot create the coverage map {}: {}", file, std::strerror(errno))};
  void* shared = MAP_FAILED;
  if (::ftruncate(fd, sizeof(CoverageMap)) == 0)
    shared = ::mmap(nullptr, sizeof(CoverageMap), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const int error = errno;
  ::close(fd);
  if (shared == MAP_FAILED)
    return Error{fmt::format("cannot map the coverage map {}: {}", file, std::strerror(error))};
  return std::unique_ptr<CoverageFeedback>(
      new CoverageFeedback(file, static_cast<CoverageMap*>(shared)));
}

CoverageFeedback::~CoverageFeedback() {
  ::munmap(map_, sizeof(CoverageMap));
}

void CoverageFeedback::reset() {
  std::memset(map_->edges, 0, sizeof(map_->edges));
  map_->comparisons_made.store(0, std::memory_order_relaxed);
}

bool CoverageFeedback::found_new() {
  bool found = false;
  // Eight edges at a time: most of the map is zero.
  for (std::size_t base = 0; base < CoverageMap::kEdges; base += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, map_->edges + base, sizeof(chunk));
    if (chunk == 0)
      continue;
    for (std::size_t i = base; i < base + 8; ++i) {
      const std::uint8_t hits = map_->edges[i];
      if (hits == 0)
        continue;
      const std::uint8_t b = bucket(hits);
      if ((seen_[i] & b) != 0)
        continue;
      edges_ += seen_[i] == 0 ? 1 : 0;
      seen_[i] |= b;
      found = true;
    }
  }
  return found;
}

std::vector<protocol::Comparison> CoverageFeedback::comparisons() const {
  const auto made = map_->comparisons_made.load(std::memory_order_relaxed);
  const auto n = std::min<std::uint64_t>(made, CoverageMap::kComparisons);
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> seen;
  std::vector<protocol::Comparison> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    const protocol::Comparison c = map_->comparisons[i];
    if (c.size != 1 && c.size != 2 && c.size != 4 && c.size != 8)
      continue;  // torn by a write in flight
    if (seen.emplace(c.constant, c.operand, c.size).second)
      out.push_back(c);
  }
  return out;
}

}  // namespace kong::mock
