// mock-kong --record: a transparent relay in front of a plugin server that
// writes down every request lifecycle passing through it (docs/recording.md).
#include "modes/record.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <mutex>

#include <fmt/format.h>

#include "kong/mock/interrupt.h"

#include "record/background_sink.h"
#include "record/recording.h"
#include "record/recording_file.h"
#include "record/relay.h"
#include "record/wire_tap.h"
#include "session/shell_words.h"

namespace kong::mock {
namespace {

// Kong's own default prefix (kong/templates/kong_defaults.lua).
constexpr const char* kKongDefaultPrefix = "/usr/local/kong";

// Written at most this often under steady traffic; at once when it pauses.
constexpr auto kSyncEvery = std::chrono::milliseconds(50);

std::string kong_prefix(const RecordOptions& options) {
  if (options.kong_prefix)
    return *options.kong_prefix;
  if (const char* env = std::getenv("KONG_PREFIX"); env && *env)
    return env;
  return kKongDefaultPrefix;
}

// Where Kong connects: as it names a server's socket by default,
// <prefix>/<server name>.socket, the server named after its file.
std::string public_socket(const RecordOptions& options, const PluginInfo& info) {
  const std::string prefix = kong_prefix(options);
  if (options.listen)
    return options.listen->starts_with("/") ? *options.listen : prefix + "/" + *options.listen;
  const auto& plugin = options.server.plugin;
  return prefix + "/" +
         (plugin.empty() ? info.name : std::filesystem::path(plugin.front()).filename().string()) +
         ".socket";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// Ends mock-kong as the server ended: killed by `signal`, as Kong's log
// would say of the server without the recorder.
[[noreturn]] void end_by_signal(int signal) {
  std::signal(signal, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, signal);
  pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  std::raise(signal);
  std::_Exit(128 + signal);
}

}  // namespace

int record(const RecordOptions& options) {
  // A signal stops the relay, which writes the recording whole; the
  // interrupt's thread waits for that before it ends the process.
  std::atomic<bool> stop{false};
  std::promise<void> written;
  std::future<void> written_future = written.get_future();
  std::atomic<bool> relaying{false};
  on_interrupt([&] {
    stop = true;
    if (relaying)
      written_future.wait_for(std::chrono::seconds(10));
    PluginSession::abandon_all();
  });

  SessionOptions session_options = options.session;
  // The server's lines go on to Kong's log, which prefixes them itself.
  session_options.output_per_case = false;
  session_options.output = [](const std::string& line) {
    std::fwrite((line + "\n").data(), 1, line.size() + 1, stdout);
    std::fflush(stdout);
  };
  auto session = PluginSession::start(options.server, session_options);
  if (!session)
    return cannot_run(session.error().message);
  PluginSession& server = **session;

  const std::string command = options.server.plugin.empty() ? options.server.start_cmd.value_or("")
                                                            : shell_join(options.server.plugin);
  const std::string description =
      fmt::format("Recorded by mock-kong --record in front of {} ({}, {}), from {}.",
                  server.info().name, server.info().protocol, command, utc_now());
  const std::string listen = public_socket(options, server.info());
  auto file = RecordingFile::open(options.out_file, RecordedCaseOptions{options.redact_headers},
                                  description);
  if (!file)
    return cannot_run(file.error().message);
  BackgroundSink writer(**file);
  Recording recording(server.phases(), writer, (*file)->cases_before() + 1);

  auto last_sync = std::chrono::steady_clock::now();
  Relay::Options relay_options;
  relay_options.listen_path = listen;
  relay_options.server_path = server.socket_path();
  relay_options.make_tap = [&] { return make_wire_tap(server.protocol(), recording); };
  relay_options.tick = [&](bool idle) {
    const auto now = std::chrono::steady_clock::now();
    if (recording.dirty() && (idle || now - last_sync >= kSyncEvery)) {
      recording.sync();
      last_sync = now;
    }
    return !stop && !server.server_ended();
  };
  auto relay = Relay::listen(std::move(relay_options));
  if (!relay)
    return cannot_run(relay.error().message);
  std::fprintf(stderr, "mock-kong: recording %s (%s) to %s; Kong connects to %s\n",
               server.info().name.c_str(), server.info().protocol.c_str(), options.out_file.c_str(),
               listen.c_str());

  relaying = true;
  const Status ran = (*relay)->run();
  relay->reset();  // closes every connection: the taps hear of it
  recording.finish();
  writer.drain();
  std::fprintf(stderr, "mock-kong: %zu lifecycle(s) in %s\n", (*file)->cases_written(),
               options.out_file.c_str());
  written.set_value();
  if (stop)
    await_interrupt_exit();

  if (!ran)
    return cannot_run(ran.error().message);
  // The server ended on its own: say how, and end as it did, for Kong to
  // start both again.
  const auto how = server.how_server_ended();
  std::fprintf(stderr, "mock-kong: the plugin server %s\n", how.value_or("ended").c_str());
  (void)server.stop();
  if (const auto signal = server.process()->killed_by())
    end_by_signal(*signal);
  const auto code = server.process()->exit_code();
  return code && *code != 0 ? *code : kSomeFailed;
}

}  // namespace kong::mock
