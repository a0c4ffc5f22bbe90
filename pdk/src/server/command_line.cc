#include "server/command_line.h"

#include <charconv>

#include <fmt/format.h>

namespace kong::server {
namespace {

// The whole value must be the number, from 0 to `max`: "12abc" is none.
std::optional<std::int64_t> bounded_integer(std::optional<std::string_view> v, std::int64_t max) {
  std::int64_t n = -1;
  if (!v)
    return std::nullopt;
  const auto parsed = std::from_chars(v->data(), v->data() + v->size(), n);
  if (parsed.ec != std::errc{} || parsed.ptr != v->data() + v->size() || n < 0 || n > max)
    return std::nullopt;
  return n;
}

}  // namespace

Result<CommandLine> parse_command_line(int argc, char** argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("-"))
      return Error{fmt::format("unexpected argument \"{}\"", arg)};
    arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto take_value = [&]() -> std::optional<std::string_view> {
      if (value)
        return value;
      if (i + 1 < argc)
        return std::string_view(argv[++i]);
      return std::nullopt;
    };
    if (arg == "dump" && !value) {
      cl.dump = true;
    } else if ((arg == "help" || arg == "h") && !value) {
      cl.help = true;
    } else if (arg == "kong-prefix") {
      auto v = take_value();
      if (!v || v->empty())
        return Error{"-kong-prefix needs a directory"};
      cl.kong_prefix = std::string(*v);
    } else if (arg == "max-message-bytes") {
      auto v = take_value();
      std::size_t n = 0;
      const auto parsed = v ? std::from_chars(v->data(), v->data() + v->size(), n)
                            : std::from_chars_result{nullptr, std::errc::invalid_argument};
      // The whole value must be the number: "12abc" is no limit.
      if (parsed.ec != std::errc{} || parsed.ptr != v->data() + v->size() || n == 0) {
        return Error{"-max-message-bytes needs a positive number of bytes"};
      }
      cl.max_message_bytes = n;
    } else if (arg == "busy-poll-us") {
      const auto n = bounded_integer(take_value(), 1'000'000);
      if (!n)
        return Error{"-busy-poll-us needs microseconds from 0 to 1000000"};
      cl.busy_poll = std::chrono::microseconds(*n);
    } else if (arg == "stall-ms") {
      const auto n = bounded_integer(take_value(), 3'600'000);
      if (!n)
        return Error{"-stall-ms needs milliseconds from 0 to 3600000"};
      cl.stall_report = std::chrono::milliseconds(*n);
    } else if (arg == "threads") {
      const auto n = bounded_integer(take_value(), 1024);
      if (!n || *n == 0)
        return Error{"-threads needs a number of threads from 1 to 1024"};
      cl.threads = static_cast<int>(*n);
    } else if (arg == "offload-us") {
      const auto n = bounded_integer(take_value(), 60'000'000);
      if (!n)
        return Error{"-offload-us needs microseconds from 0 to 60000000"};
      cl.offload_above = std::chrono::microseconds(*n);
    } else if (arg == "blocking-threads") {
      const auto n = bounded_integer(take_value(), 4096);
      if (!n || *n == 0)
        return Error{"-blocking-threads needs a number of threads from 1 to 4096"};
      cl.blocking_threads = static_cast<std::size_t>(*n);
    } else if (arg == "grace-ms") {
      const auto n = bounded_integer(take_value(), 3'600'000);
      if (!n)
        return Error{"-grace-ms needs milliseconds from 0 to 3600000"};
      cl.shutdown_grace = std::chrono::milliseconds(*n);
    } else if (arg == "protocol") {
      auto v = take_value();
      if (!v)
        return Error{"-protocol needs MsgPack:1 or ProtoBuf:1"};
      cl.protocol = parse_protocol(*v);
      if (!cl.protocol)
        return Error{fmt::format("-protocol needs MsgPack:1 or ProtoBuf:1, got \"{}\"", *v)};
    } else {
      return Error{fmt::format("unknown flag \"{}\"", argv[i])};
    }
  }
  return cl;
}

std::string usage(std::string_view program) {
  return fmt::format(
      "Usage: {} [flags]\n"
      "A Kong plugin server (C++ PDK). Kong starts it through kong.conf's\n"
      "pluginserver_<name>_start_cmd and queries it with pluginserver_<name>_query_cmd.\n\n"
      "  -dump                   print the plugin's info for Kong as JSON, and exit\n"
      "  -kong-prefix DIR        Kong's prefix; listen on DIR/<executable name>.socket\n"
      "                          (default /usr/local/kong)\n"
      "  -max-message-bytes N    refuse messages declaring more than N bytes\n"
      "                          (default 67108864)\n"
      "  -protocol NAME          serve Kong's MsgPack:1 or ProtoBuf:1 (the Go PDK's)\n"
      "                          protocol; -dump tells Kong which (default: the\n"
      "                          plugin's choice, MsgPack:1 unless it chose otherwise)\n"
      "  -busy-poll-us N         after each message, poll N microseconds for Kong's\n"
      "                          next one before sleeping (default 50; 0: sleep)\n"
      "  -stall-ms N             say in the log when a handler holds the server's\n"
      "                          thread more than N ms between two PDK calls, once\n"
      "                          per handler (default 20; 0: never)\n"
      "  -threads N              threads that read Kong's messages and run the\n"
      "                          handlers once a const handler is heavy (default:\n"
      "                          one per CPU; 1: one thread throughout)\n"
      "  -offload-us N           a const handler whose events average more than N\n"
      "                          microseconds runs on all of them (default 100)\n"
      "  -blocking-threads N     threads that wait at most: kong.blocking's, and\n"
      "                          those added for const handlers that block\n"
      "                          (default 64)\n"
      "  -grace-ms N             on SIGTERM, refuse new connections and let the\n"
      "                          events in flight finish for N ms at most (default\n"
      "                          10000; a second SIGTERM exits at once)\n"
      "  -help                   print this help, and exit\n"
      "Flags may also be written --flag and -flag=value.\n",
      program);
}

}  // namespace kong::server
