// Kong's query step (protocol.md §1): run the query command, read its stdout
// as JSON, keep the first plugin's info.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "kong/mock/plugin_info.h"
#include "kong/protocol/phase.h"

#include "fixture/bounded_json.h"
#include "session/child_process.h"

extern char** environ;

namespace kong::mock {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A plugin's dump is a few kilobytes; anything near this is a runaway command.
constexpr std::size_t kMaxStdoutBytes = 16 << 20;
constexpr std::size_t kTailBytes = 4096;

Error field_error(const std::string& where, std::string_view expected, const json* got) {
  if (got == nullptr)
    return Error{fmt::format("{}: expected {}, but it is missing", where, expected)};
  return Error{fmt::format("{}: expected {}, got {}", where, expected, got->type_name())};
}

// Reads INFO (protocol.md §1); `where` is its path in the dump, for errors.
Result<PluginInfo> parse_info(const json& info, const std::string& where, PluginInfo out) {
  if (!info.is_object())
    return field_error(where, "object", &info);
  auto member = [&](const char* key) -> const json* {
    auto it = info.find(key);
    return it == info.end() ? nullptr : &*it;
  };
  auto path = [&](const char* key) { return where + "." + key; };

  const json* name = member("Name");
  if (name == nullptr || !name->is_string())
    return field_error(path("Name"), "string", name);
  out.name = name->get<std::string>();
  if (out.name.empty())
    return Error{path("Name") + ": expected a non-empty string"};

  const json* priority = member("Priority");
  if (priority == nullptr || !priority->is_number()) {
    return field_error(path("Priority"), "number", priority);
  }
  const double p = priority->get<double>();
  if (std::trunc(p) != p || p < std::numeric_limits<int>::min() ||
      p > std::numeric_limits<int>::max()) {
    return Error{
        fmt::format("{}: expected an integer, got {}", path("Priority"), priority->dump())};
  }
  out.priority = static_cast<int>(p);

  // The JavaScript PDK leaves Version out when the plugin declares none.
  if (const json* version = member("Version"); version != nullptr && !version->is_null()) {
    if (!version->is_string())
      return field_error(path("Version"), "string", version);
    out.version = version->get<std::string>();
  }

  const json* phases = member("Phases");
  if (phases == nullptr || !phases->is_array()) {
    return field_error(path("Phases"), "array of strings", phases);
  }
  for (std::size_t i = 0; i < phases->size(); ++i) {
    const json& phase = (*phases)[i];
    if (!phase.is_string())
      return field_error(fmt::format("{}[{}]", path("Phases"), i), "string", &phase);
    out.phases.push_back(phase.get<std::string>());
    if (!parse_phase(out.phases.back())) {
      out.warnings.push_back(fmt::format(
          "{} names phase \"{}\", which Kong does not have: Kong never runs that handler",
          path("Phases"), out.phases.back()));
    }
  }
  if (out.phases.empty()) {
    out.warnings.push_back(fmt::format(
        "{} handles no phase (its dump has Phases: []): Kong never runs it, and every case "
        "runs nothing",
        out.name));
  }

  const json* schema = member("Schema");
  if (schema == nullptr || !schema->is_object())
    return field_error(path("Schema"), "object", schema);
  out.schema = *schema;
  return out;
}

Result<PluginInfo> parse_dump(const json& dump) {
  PluginInfo out;
  if (dump.is_array()) {
    // Kong reads `dump.Plugins or dump`: a bare array speaks MsgPack.
    if (dump.empty())
      return Error{"expected at least one plugin info, got an empty array"};
    return parse_info(dump[0], "[0]", std::move(out));
  }
  if (!dump.is_object()) {
    return Error{
        fmt::format("expected an object {{Protocol, SocketPath, Plugins}} or an array, got {}",
                    dump.type_name())};
  }
  if (auto it = dump.find("Protocol"); it != dump.end()) {
    if (!it->is_string())
      return field_error("Protocol", "\"MsgPack:1\" or \"ProtoBuf:1\"", &*it);
    out.protocol = it->get<std::string>();
    if (out.protocol != "MsgPack:1" && out.protocol != "ProtoBuf:1") {
      return Error{fmt::format("Protocol: expected \"MsgPack:1\" or \"ProtoBuf:1\", got \"{}\"",
                               out.protocol)};
    }
  }
  if (auto it = dump.find("SocketPath"); it != dump.end() && !it->is_null()) {
    if (!it->is_string())
      return field_error("SocketPath", "string", &*it);
    out.socket_path = it->get<std::string>();
  }
  auto plugins = dump.find("Plugins");
  if (plugins == dump.end() || !plugins->is_array()) {
    return field_error("Plugins", "array", plugins == dump.end() ? nullptr : &*plugins);
  }
  if (plugins->empty())
    return Error{"Plugins: expected at least one plugin info, got an empty array"};
  return parse_info((*plugins)[0], "Plugins[0]", std::move(out));
}

// A dump nested deeper than Kong's JSON decoder goes is refused before
// anything walks it recursively (the schema check does).
constexpr int kMaxDumpNesting = 1000;

json parse_dump_text(std::string_view text) {
  try {
    return parse_bounded_json<json>(text, kMaxDumpNesting);
  } catch (const JsonTooDeep&) {
    throw json::parse_error::create(
        0, 0, fmt::format("nested deeper than {} arrays and objects", kMaxDumpNesting), nullptr);
  }
}

// nlohmann's messages start with "[json.exception.parse_error.101] ", which
// says nothing to someone debugging a plugin's dump.
std::string json_error_text(const json::parse_error& e) {
  std::string_view what = e.what();
  if (auto end = what.find("] "); what.starts_with("[") && end != std::string_view::npos) {
    what.remove_prefix(end + 2);
  }
  return std::string(what);
}

// The last lines of what the command printed, for error messages.
std::string tail_of(std::string_view output) {
  while (!output.empty() && output.back() == '\n')
    output.remove_suffix(1);
  if (output.empty())
    return "; it printed nothing";
  std::size_t start = 0;
  std::size_t pos = output.size();
  for (std::size_t lines = 0; lines < kOutputTailLines; ++lines) {
    const auto nl = pos == 0 ? std::string_view::npos : output.rfind('\n', pos - 1);
    if (nl == std::string_view::npos) {
      start = 0;
      break;
    }
    start = nl + 1;
    pos = nl;
  }
  if (output.size() - start > kTailBytes)
    start = output.size() - kTailBytes;
  return fmt::format("; its last output:\n{}", output.substr(start));
}

struct QueryRun {
  std::string out;       // stdout, the JSON
  std::string err;       // stderr, relayed or shown on failure
  std::string combined;  // both, roughly interleaved, for the tail
  int status = 0;
  bool timed_out = false;
  bool too_much = false;
};

// Reads both pipes until they close, then reaps the child; kills its process
// group when the deadline passes first (or it prints without end).
QueryRun collect(pid_t pid, int out_fd, int err_fd, Clock::time_point deadline) {
  QueryRun run;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  char buf[8192];
  int open_pipes = 2;
  while (open_pipes > 0 && !run.timed_out && !run.too_much) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      sinks[i]->append(buf, static_cast<std::size_t>(n));
      run.combined.append(buf, static_cast<std::size_t>(n));
      if (run.combined.size() > 8 * kTailBytes)
        run.combined.erase(0, run.combined.size() - 4 * kTailBytes);
      run.too_much = run.out.size() > kMaxStdoutBytes;
    }
  }
  // Both pipes closed usually means the command has exited, but it may have
  // closed them and kept running: the deadline still holds.
  while (!run.timed_out && !run.too_much) {
    if (reap_if_exited(pid, run.status))
      return run;
    if (Clock::now() >= deadline) {
      run.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill_and_reap(pid, run.status);
  return run;
}

}  // namespace

Result<PluginInfo> parse_plugin_info(std::string_view json_text) {
  json dump;
  try {
    dump = parse_dump_text(json_text);
  } catch (const json::parse_error& e) {
    return Error{"invalid JSON: " + json_error_text(e)};
  }
  return parse_dump(dump);
}

Result<PluginInfo> query_plugin(const std::string& query_cmd, std::chrono::milliseconds timeout,
                                const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string what = fmt::format("query command `{}`", query_cmd);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return Error{fmt::format("{}: pipe: {}", what, std::strerror(errno))};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Error{fmt::format("{}: pipe: {}", what, std::strerror(err))};
  }
  const auto deadline = Clock::now() + timeout;
  Result<pid_t> pid = spawn_shell(query_cmd, out_pipe[1], err_pipe[1], env);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  QueryRun run;
  if (pid.ok())
    run = collect(*pid, out_pipe[0], err_pipe[0], deadline);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (!pid.ok())
    return Error{fmt::format("{}: {}", what, pid.error().message)};

  if (run.timed_out) {
    return Error{fmt::format("{} did not finish within {} ms{}", what, timeout.count(),
                             tail_of(run.combined))};
  }
  if (run.too_much) {
    return Error{
        fmt::format("{} printed more than {} bytes on stdout; a plugin info dump is far smaller{}",
                    what, kMaxStdoutBytes, tail_of(run.combined))};
  }
  if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
    return Error{fmt::format("{} {}{}", what, describe_status(run.status), tail_of(run.combined))};
  }
  if (run.out.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (run.err.empty())
      return Error{what + " printed nothing"};
    return Error{fmt::format("{} printed nothing on stdout{}", what, tail_of(run.err))};
  }
  json dump;
  try {
    dump = parse_dump_text(run.out);
  } catch (const json::parse_error& e) {
    return Error{fmt::format("{}: stdout is not JSON: {}{}", what, json_error_text(e),
                             tail_of(run.combined))};
  }
  // Kong lets the query command's stderr through to its own; so do we,
  // where no error above has shown it already.
  if (!run.err.empty())
    std::fwrite(run.err.data(), 1, run.err.size(), stderr);
  Result<PluginInfo> info = parse_dump(dump);
  if (!info.ok())
    return Error{fmt::format("{}: {}", what, info.error().message)};
  return info;
}

}  // namespace kong::mock
