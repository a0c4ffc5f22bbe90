#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace kong::mock {

/// CPU a process has used so far, read from /proc. On these VMs a plugin
/// server's cost is mostly kernel time, so both sides are kept.
struct ProcessCpu {
  /// Time on a CPU, user and kernel together, of all its threads, those
  /// that ended too: the process's CPU clock (clock_getcpuclockid), in
  /// nanoseconds (the /proc/<pid>/stat ticks are only 10 ms).
  std::chrono::nanoseconds on_cpu{0};
  /// utime and stime from /proc/<pid>/stat, in clock ticks, to split on_cpu.
  std::int64_t user_ticks = 0;
  std::int64_t system_ticks = 0;
};

/// All zero when the process is gone or /proc cannot be read.
ProcessCpu process_cpu(pid_t pid);

/// The share of kernel time in the CPU used between two readings, in
/// percent; 0 when too few ticks passed to tell.
double system_percent(const ProcessCpu& before, const ProcessCpu& after);

/// Resident memory of a process, in KiB, from /proc/<pid>/status.
struct ProcessMemory {
  std::int64_t rss_kib = 0;    // VmRSS
  std::int64_t anon_kib = 0;   // RssAnon: heap, stacks, written data
  std::int64_t file_kib = 0;   // RssFile: mapped code and read-only data
  std::int64_t shmem_kib = 0;  // RssShmem
  std::int64_t peak_kib = 0;   // VmHWM: the most it ever held
};

/// All zero when the process is gone or /proc cannot be read.
ProcessMemory process_memory(pid_t pid);

/// The live processes of process group `pgid`: a plugin server started in
/// a group of its own (PluginProcess) and whatever it started, from /proc.
std::vector<pid_t> process_group(pid_t pgid);

/// The CPU of all of `members`, each with all its threads, plus what
/// their children that ended and were waited for used (cutime, cstime,
/// counted at the ticks' 10 ms).
ProcessCpu group_cpu(const std::vector<pid_t>& members);

/// The resident memory of all of `members` together; peak_kib is the
/// largest of their own peaks.
ProcessMemory group_memory(const std::vector<pid_t>& members);

}  // namespace kong::mock
