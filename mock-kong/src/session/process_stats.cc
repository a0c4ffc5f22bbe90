#include "kong/mock/process_stats.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kong::mock {

namespace {

// The fields of /proc/<pid>/stat from field 3 (state) on, or empty. The
// command name (field 2) may hold spaces: the fields follow its closing
// parenthesis.
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  if (paren == std::string::npos)
    return {};
  std::istringstream in(line.substr(paren + 1));
  std::vector<std::string> fields;
  for (std::string field; in >> field;)
    fields.push_back(std::move(field));
  return fields;
}

// Field `n` (1-based, as proc(5) numbers them) of stat_fields(); 0 when
// missing.
std::int64_t stat_field(const std::vector<std::string>& fields, std::size_t n) {
  if (n < 3 || n - 3 >= fields.size())
    return 0;
  return std::strtoll(fields[n - 3].c_str(), nullptr, 10);
}

// A process's CPU from its CPU clock and the `fields` of its stat.
ProcessCpu cpu_of(pid_t pid, const std::vector<std::string>& fields) {
  ProcessCpu cpu;
  // The clock the kernel keeps for the whole process, in nanoseconds: its
  // threads' time, those that ended included. (Adding the living threads'
  // schedstat would lose what a thread used before it ended, as a server's
  // threads do once idle, or a Go runtime's.)
  clockid_t clock{};
  timespec ts{};
  if (::clock_getcpuclockid(pid, &clock) == 0 && ::clock_gettime(clock, &ts) == 0)
    cpu.on_cpu = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);

  // utime and stime are fields 14 and 15.
  cpu.user_ticks = stat_field(fields, 14);
  cpu.system_ticks = stat_field(fields, 15);
  return cpu;
}

}  // namespace

ProcessCpu process_cpu(pid_t pid) {
  return cpu_of(pid, stat_fields(pid));
}

std::vector<pid_t> process_group(pid_t pgid) {
  std::vector<pid_t> members;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    // pgrp is field 5.
    if (pid == pgid || stat_field(stat_fields(pid), 5) == pgid)
      members.push_back(pid);
  }
  return members;
}

ProcessCpu group_cpu(const std::vector<pid_t>& members) {
  static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  ProcessCpu total;
  for (pid_t pid : members) {
    const auto fields = stat_fields(pid);
    const ProcessCpu cpu = cpu_of(pid, fields);
    total.on_cpu += cpu.on_cpu;
    total.user_ticks += cpu.user_ticks;
    total.system_ticks += cpu.system_ticks;
    // cutime and cstime, fields 16 and 17.
    const std::int64_t reaped = stat_field(fields, 16) + stat_field(fields, 17);
    total.on_cpu += std::chrono::nanoseconds(reaped * 1000000000 / ticks_per_second);
  }
  return total;
}

ProcessMemory group_memory(const std::vector<pid_t>& members) {
  ProcessMemory total;
  for (pid_t pid : members) {
    const ProcessMemory m = process_memory(pid);
    total.rss_kib += m.rss_kib;
    total.anon_kib += m.anon_kib;
    total.file_kib += m.file_kib;
    total.shmem_kib += m.shmem_kib;
    total.peak_kib = std::max(total.peak_kib, m.peak_kib);
  }
  return total;
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
