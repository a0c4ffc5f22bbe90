// A plugin whose access handler burns a fixed amount of CPU per event: what
// the regression gate's own tests measure. KONG_TEST_BURN_PERCENT=130 makes
// each event burn 30 % more; the answer stays the same.
#include <cstdint>
#include <cstdlib>

#include "kong/pdk.h"

namespace {

std::uint64_t rounds() {
  static const std::uint64_t n = [] {
    const char* percent = std::getenv("KONG_TEST_BURN_PERCENT");
    const std::uint64_t p = percent != nullptr ? std::strtoull(percent, nullptr, 10) : 100;
    return std::uint64_t{40000} * p / 100;
  }();
  return n;
}

// A chain of dependent multiplications the compiler cannot shorten.
volatile std::uint64_t sink;

}  // namespace

struct Config {
  static constexpr auto fields() { return std::tuple{}; }

  void access(kong::Pdk& kong) {
    std::uint64_t x = 0x9e3779b97f4a7c15;
    for (std::uint64_t i = 0; i < rounds(); ++i)
      x = (x * 6364136223846793005ULL + 1442695040888963407ULL) ^ (x >> 29);
    sink = x;
    kong.response.set_header("x-burned", "yes");
  }
};

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1);
}
