// The runtime of a plugin built for coverage-guided fuzzing
// (kong_plugin_fuzz_coverage()): g++'s -fsanitize-coverage=trace-pc calls
// __sanitizer_cov_trace_pc at every basic block of the plugin's own code,
// and trace-cmp calls __sanitizer_cov_trace_*cmp* at its comparisons. This
// file is built without them, or it would trace itself.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "kong/protocol/coverage_map.h"

namespace {

using kong::protocol::CoverageMap;

// Where the executable is loaded: offsets from it are the same in every run
// of a position-independent plugin, which a restarted server must keep.
extern "C" char __executable_start;  // NOLINT: the linker's symbol

CoverageMap fallback_map;

CoverageMap* open_map() {
  const char* file = std::getenv(kong::protocol::kCoverageMapEnv);
  if (file == nullptr)
    return &fallback_map;
  const int fd = ::open(file, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return &fallback_map;
  void* shared = ::mmap(nullptr, sizeof(CoverageMap), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  return shared == MAP_FAILED ? &fallback_map : static_cast<CoverageMap*>(shared);
}

// Opened before main(): the first traced block may run during static
// initialisation, before any thread exists.
CoverageMap* const map = open_map();
thread_local std::uintptr_t previous = 0;

inline void record(std::uint64_t constant, std::uint64_t operand, std::uint64_t size) {
  CoverageMap* m = map;
  if (m == nullptr || constant == operand)
    return;
  const std::uint64_t at = m->comparisons_made.fetch_add(1, std::memory_order_relaxed);
  m->comparisons[at % CoverageMap::kComparisons] = {constant, operand, size};
}

}  // namespace

extern "C" {

void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)) -
                  reinterpret_cast<std::uintptr_t>(&__executable_start);
  // During static initialisation `map` may not be set yet.
  CoverageMap* m = map;
  if (m == nullptr)
    return;
  const std::size_t edge = ((pc * 0x9e3779b1u) ^ previous) & (CoverageMap::kEdges - 1);
  std::uint8_t& hits = m->edges[edge];
  if (hits != 255)
    ++hits;
  previous = (pc * 0x9e3779b1u) >> 1;
}

// One operand a compile-time constant: the input may be made to equal it.
void __sanitizer_cov_trace_const_cmp1(std::uint8_t constant, std::uint8_t operand) {
  record(constant, operand, 1);
}
void __sanitizer_cov_trace_const_cmp2(std::uint16_t constant, std::uint16_t operand) {
  record(constant, operand, 2);
}
void __sanitizer_cov_trace_const_cmp4(std::uint32_t constant, std::uint32_t operand) {
  record(constant, operand, 4);
}
void __sanitizer_cov_trace_const_cmp8(std::uint64_t constant, std::uint64_t operand) {
  record(constant, operand, 8);
}
// Comparisons of two variables, and switches: nothing to learn from cheaply.
void __sanitizer_cov_trace_cmp1(std::uint8_t, std::uint8_t) {}
void __sanitizer_cov_trace_cmp2(std::uint16_t, std::uint16_t) {}
void __sanitizer_cov_trace_cmp4(std::uint32_t, std::uint32_t) {}
void __sanitizer_cov_trace_cmp8(std::uint64_t, std::uint64_t) {}
void __sanitizer_cov_trace_cmpf(float, float) {}
void __sanitizer_cov_trace_cmpd(double, double) {}
void __sanitizer_cov_trace_switch(std::uint64_t, std::uint64_t*) {}

}  // extern "C"
