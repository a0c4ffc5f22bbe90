// A plugin with bugs planted on purpose, each behind an input a fuzzer has
// to find, for mock-kong's fault reports and --fuzz:
// - a long X-Note header (over 64 bytes) crashes the server (SIGSEGV), as
//   a copy into a fixed buffer would;
// - a query flag `debug` (no "=") sends the handler into an endless loop;
// - an empty body declared as JSON throws (nlohmann::json::parse of "");
// - an X-Key value starting "KONG" throws, reached only through four nested
//   comparisons of one byte each: coverage guidance finds it, blind
//   mutation does not;
// - a query flag `tick` fails every second request that has it since the
//   server started: a bug no case reproduces on its own, which --fuzz names
//   as flaky instead of writing;
// - a query flag `swallow` exits and swallows the exit's kong::EventEnded in
//   a catch (...), which the server reports.
// Otherwise it answers as hello does: an X-Planted response header.
#include <csignal>
#include <string>
#include <string_view>

#include "kong/pdk.h"

namespace {

bool has_flag(std::string_view query, std::string_view flag) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    if (query.substr(0, amp) == flag)
      return true;
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

[[noreturn]] void crash() {
  // The default action, also under the sanitizers, which would otherwise
  // report the signal and exit with a status.
  std::signal(SIGSEGV, SIG_DFL);
  std::raise(SIGSEGV);
  std::abort();
}

void spin_forever() {
  volatile unsigned long spins = 0;
  for (;;)
    spins = spins + 1;
}

}  // namespace

struct Config {
  static constexpr auto fields() { return std::tuple{}; }

  void access(kong::Pdk& kong) {
    if (kong.request.get_header("x-note").value_or("").size() > 64)
      crash();
    const std::string query = kong.request.get_raw_query();
    if (has_flag(query, "debug"))
      spin_forever();
    static unsigned ticks = 0;
    if (has_flag(query, "tick") && ++ticks % 2 == 0)
      throw std::runtime_error("planted: every second tick fails");
    if (has_flag(query, "swallow")) {
      try {
        kong.response.exit(204);
      } catch (...) {  // the bug: EventEnded must be rethrown
      }
    }
    const std::string type = kong.request.get_header("content-type").value_or("");
    if (type.starts_with("application/json")) {
      const auto body = kong.request.get_raw_body().value_or(kong::Bytes{});
      const auto json = nlohmann::json::parse(body.data);  // throws on an empty body
      kong.service.request.set_header("x-json-members", std::to_string(json.size()));
    }
    const std::string key = kong.request.get_header("x-key").value_or("");
    if (key.size() >= 4) {
      if (key[0] == 'K') {
        if (key[1] == 'O') {
          if (key[2] == 'N') {
            if (key[3] == 'G')
              throw std::runtime_error("planted: the X-Key comparisons all held");
          }
        }
      }
    }
    kong.response.set_header("x-planted", "ok");
  }
};

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 1);
}
