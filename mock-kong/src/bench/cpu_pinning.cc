#include "bench/cpu_pinning.h"

#include <sched.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/comma_list.h"

namespace kong::mock {

Result<std::vector<int>> parse_cpus(std::string_view spec) {
  if (spec == "all")
    return std::vector<int>{};
  std::vector<int> cpus;
  for (const std::string_view part : comma_list(spec)) {
    const std::size_t dash = part.find('-');
    int first = -1;
    int last = -1;
    auto number = [](std::string_view text, int& out) {
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      return ec == std::errc{} && end == text.data() + text.size() && out >= 0 && out < CPU_SETSIZE;
    };
    const bool read = dash == std::string_view::npos
                          ? number(part, first) && number(part, last)
                          : number(part.substr(0, dash), first) &&
                                number(part.substr(dash + 1), last) && first <= last;
    if (!read) {
      return Error{
          fmt::format("--cpus: {}: expected \"all\", or CPU numbers and ranges such as 1 or 0,2-3",
                      part.empty() ? std::string_view("(nothing)") : part)};
    }
    for (int cpu = first; cpu <= last; ++cpu)
      cpus.push_back(cpu);
  }
  return cpus;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0)
    return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set))
      cpus.push_back(cpu);
  }
  return cpus;
}

Status pin_to(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus)
    CPU_SET(cpu, &set);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) {
    return Error{
        fmt::format("--cpus: cannot run on CPU {} (this machine lets mock-kong use {}): {}",
                    fmt::join(cpus, ","), fmt::join(allowed_cpus(), ","), std::strerror(errno))};
  }
  return Ok{};
}

}  // namespace kong::mock
