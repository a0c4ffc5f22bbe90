#pragma once

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>

#include "kong/pdk.h"

namespace kong::test {

/// Handler frames of TestPlugin whose destructors have run: an abandoned
/// event must be unwound, not leaked.
inline int g_unwound_handlers = 0;

/// The plugin the server tests drive. What its access handler does is set by
/// `mode`, so one plugin covers every behaviour:
///   hello        get_header("host"), then set_header("x-hello", "hi <host>")
///   read-host    get_header("host"), and nothing else
///   headers      get_headers(), then set_header("x-count", <number of names>)
///   exit         kong.response.exit(403, "denied", {x-reason: test})
///   swallow-exit kong.response.exit(401) inside a catch (...) that swallows
///                its unwinding, then log.info("after exit")
///   throw        log.info("about to throw"), then throws std::runtime_error("boom")
///   throw-other  throws an int
///   wrong-phase  kong.response.get_status(), which Kong refuses in access
///   catch        get_header("x"); a PdkError is caught and logged with log.err
///   no-rpc       kong.cluster.get_id() (no ProtoBuf:1 rpc); a PdkError is
///                caught and logged with log.err
///   print        prints "printed for <host>" on stderr, then as hello; dies
///                of SIGSEGV for the host crash.test
///   return       returns at once
///   raw-body     get_raw_body(), then set_header("x-body", <the body>)
///   hold         holds the thread for `limit` ms (a sleep, as a blocking
///                call would), then get_header("host")
///   blocking:F   in kong.blocking, waits for a byte on the FIFO F (the test's
///                gate), then get_header("host") and
///                set_header("x-blocked", "waited for <host>")
///   blocking-throws  kong.blocking's work throws std::runtime_error("the
///                service is down")
///   blocking-pdk kong.blocking's work calls get_header("host")
///
/// The log handler logs "logged by <mode>" (see log()).
struct TestPlugin {
  std::string mode = "hello";
  int limit = 10;

  static constexpr auto fields() {
    return std::tuple{field("mode", &TestPlugin::mode),
                      field("limit", &TestPlugin::limit).between(1, 100)};
  }

  /// Waits until the test writes a byte to the FIFO `gate`.
  static void wait_for_gate(const std::string& gate) {
    std::FILE* fifo = std::fopen(gate.c_str(), "r");  // waits for the writer
    if (fifo == nullptr)
      throw std::runtime_error("cannot open the gate " + gate);
    std::fgetc(fifo);
    std::fclose(fifo);
  }

  void access(Pdk& kong) {
    struct Unwound {
      ~Unwound() { ++g_unwound_handlers; }
    } unwound;
    if (mode == "print") {
      const std::string host = kong.request.get_header("host").value_or("");
      std::fprintf(stderr, "printed for %s\n", host.c_str());
      if (host == "crash.test") {
        std::signal(SIGSEGV, SIG_DFL);
        std::raise(SIGSEGV);
      }
    }
    if (mode == "hello" || mode == "print") {
      const std::string host = kong.request.get_header("host").value_or("nobody");
      kong.response.set_header("x-hello", "hi " + host);
    } else if (mode == "raw-body") {
      kong.response.set_header("x-body", kong.request.get_raw_body().value_or(Bytes{}).data);
    } else if (mode == "hold") {
      std::this_thread::sleep_for(std::chrono::milliseconds(limit));
      kong.request.get_header("host");
    } else if (mode.starts_with("blocking:")) {
      kong.blocking([gate = mode.substr(9)] { wait_for_gate(gate); });
      const std::string host = kong.request.get_header("host").value_or("nobody");
      kong.response.set_header("x-blocked", "waited for " + host);
    } else if (mode == "blocking-throws") {
      kong.blocking([]() -> int { throw std::runtime_error("the service is down"); });
    } else if (mode == "blocking-pdk") {
      kong.blocking([&] { return kong.request.get_header("host"); });
    } else if (mode == "read-host") {
      kong.request.get_header("host");
    } else if (mode == "headers") {
      const MultiMap headers = kong.request.get_headers();
      kong.response.set_header("x-count", std::to_string(headers.size()));
    } else if (mode == "exit") {
      kong.response.exit(403, "denied", MultiMap{{"x-reason", {"test"}}});
    } else if (mode == "throw") {
      kong.log.info("about to throw");
      throw std::runtime_error("boom");
    } else if (mode == "throw-other") {
      throw 42;
    } else if (mode == "wrong-phase") {
      kong.response.get_status();
    } else if (mode == "swallow-exit") {
      try {
        kong.response.exit(401);
      } catch (...) {  // wrongly swallows EventEnded
      }
      kong.log.info("after exit");
    } else if (mode == "catch") {
      try {
        kong.request.get_header("x");
      } catch (const PdkError& e) {
        kong.log.err(e.what());
      }
    } else if (mode == "no-rpc") {
      try {
        kong.cluster.get_id();
      } catch (const PdkError& e) {
        kong.log.err(e.what());
      }
    }
  }

  // A const handler, which the server may run on several threads at
  // once; access, not const, runs in turn with everything else. mode
  // "log-gate:F" holds the handler's thread at the gate F first.
  void log(Pdk& kong) const {
    if (mode.starts_with("log-gate:"))
      wait_for_gate(mode.substr(9));
    kong.log.info("logged by ", mode);
  }
};

}  // namespace kong::test
