#include "kong/mock/process_stats.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kong::mock {

ProcessCpu process_cpu(pid_t pid) {
  ProcessCpu cpu;
  const std::string dir = "/proc/" + std::to_string(pid);
  // Every thread's: our server has one, a Go server's runtime spreads its
  // work (and its spinning) over several.
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(dir + "/task", ec)) {
    std::ifstream schedstat(task.path() / "schedstat");
    std::int64_t ns = 0;
    if (schedstat >> ns)
      cpu.on_cpu += std::chrono::nanoseconds(ns);
  }

  // The command name (field 2) may hold spaces; the fields after its closing
  // parenthesis start with field 3, state. utime and stime are fields 14, 15.
  std::ifstream stat(dir + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  if (paren == std::string::npos)
    return cpu;
  std::istringstream fields(line.substr(paren + 1));
  std::string skip;
  for (int field = 3; field < 14; ++field)
    fields >> skip;
  fields >> cpu.user_ticks >> cpu.system_ticks;
  return cpu;
}

double system_percent(const ProcessCpu& before, const ProcessCpu& after) {
  const std::int64_t user = after.user_ticks - before.user_ticks;
  const std::int64_t system = after.system_ticks - before.system_ticks;
  if (user + system <= 0)
    return 0;
  return 100.0 * static_cast<double>(system) / static_cast<double>(user + system);
}

ProcessMemory process_memory(pid_t pid) {
  ProcessMemory memory;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  std::int64_t kib = 0;
  while (status >> key) {
    auto take = [&](const char* name, std::int64_t& out) {
      if (key == name && status >> kib)
        out = kib;
    };
    take("VmRSS:", memory.rss_kib);
    take("RssAnon:", memory.anon_kib);
    take("RssFile:", memory.file_kib);
    take("RssShmem:", memory.shmem_kib);
    take("VmHWM:", memory.peak_kib);
    status.ignore(1 << 16, '\n');
  }
  return memory;
}

}  // namespace kong::mock
