#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "kong/pdk/plugin.h"

#include "server/blocking_pool.h"
#include "server/command_line.h"
#include "server/connection.h"
#include "server/event_driver.h"
#include "server/event_loop.h"
#include "server/graceful_shutdown.h"
#include "server/instances.h"
#include "server/listen_socket.h"
#include "server/loop_threads.h"
#include "server/msgpack_connection.h"
#include "server/plugin_info.h"
#include "server/protobuf_module.h"
#include "server/rpc_dispatcher.h"
#include "server/stack_pool.h"

namespace kong {
namespace {

// Kong drops an event it gave up on without telling the server; after this
// long without a Step, its handler is unwound and its stack reused.
constexpr auto kEventIdleLimit = std::chrono::seconds(60);
constexpr auto kExpirySweep = std::chrono::seconds(10);
// A blocking-pool thread, or one serving the loop beside the first, idle
// this long ends: a quiet server holds none.
constexpr auto kThreadIdle = std::chrono::milliseconds(10'000);

// The threads that serve the loop once a handler is heavy, the first
// included. -1: one per CPU this process may use.
std::size_t serving_threads(int configured) {
  if (configured > 0)
    return static_cast<std::size_t>(configured);
  return server::LoopThreads::usable_cpus();
}

// The name Kong knows the plugin by: the executable's, as in the Go PDK.
std::string executable_name(const char* argv0) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    exe = argv0;
  return exe.filename().string();
}

// Calls `fn` when the descriptor it watches is readable.
class ReadWatcher final : public server::Watcher {
 public:
  explicit ReadWatcher(std::function<void()> fn) : fn_(std::move(fn)) {}
  void on_ready(std::uint32_t) override { fn_(); }

 private:
  std::function<void()> fn_;
};

// Serves one protocol, the one -dump announced to Kong: MsgPack:1 events
// are keyed by id and may be stepped on any connection; a ProtoBuf:1 event
// lives on the connection that started it.
class Server {
 public:
  Server(int listen_fd, std::string socket_path, std::string name, const PluginType& type,
         const ServerOptions& options)
      : listen_fd_(listen_fd),
        socket_path_(std::move(socket_path)),
        name_(name),
        grace_(options.shutdown_grace),
        protocol_(options.protocol),
        stacks_(options.handler_stack_bytes),
        stalls_(name, options.stall_report),
        instances_(std::move(name), type),
        shutdown_(loop_, options.shutdown_grace, {[this] { drain(); }, [this] { force(); }}),
        blocking_(options.blocking_threads, kThreadIdle),
        threads_(loop_, 1 + options.blocking_threads, kThreadIdle),
        driver_(loop_, blocking_, stacks_, &stalls_, &threads_,
                {type.concurrent_phases, options.offload_above, serving_threads(options.threads)}),
        dispatcher_(instances_, driver_),
        limits_{options.max_message_bytes, 256},
        protobuf_{instances_, driver_, static_cast<std::int64_t>(std::time(nullptr)),
                  options.max_message_bytes, &protobuf_events_},
        new_protobuf_(protocol_ == Protocol::protobuf ? server::load_protobuf_module() : nullptr),
        accept_([this] { accept(); }) {
    loop_.busy_poll(options.busy_poll);
    loop_.add(listen_fd_, EPOLLIN, &accept_);
    loop_.every(kExpirySweep, [this] { dispatcher_.expire_events(kEventIdleLimit); });
  }

  ~Server() {
    threads_.join();
    connections_.clear();
    stop_listening();
  }

  void run() {
    loop_.run([this] {
      std::erase_if(connections_, [](const auto& c) { return c.second->closed(); });
      // Draining: done when no event is in flight, or when no connection is
      // left to carry one on (new ones are refused).
      if (shutdown_.draining() && in_flight() == 0)
        loop_.stop();
      else if (shutdown_.draining() && connections_.empty())
        force();
    });
    // The other serving threads end with the loop, each after what it handles.
    threads_.join();
  }

 private:
  // Events started and not over, both protocols.
  std::size_t in_flight() const { return dispatcher_.running_events() + protobuf_events_; }

  // The first SIGTERM: new connections are refused (the socket is gone),
  // those open go on until their events are over.
  void drain() {
    stop_listening();
    if (in_flight() == 0)
      return;  // nothing to wait for: the loop ends after this batch
    std::fprintf(stderr,
                 "%s: stopping: new connections are refused; events in flight: %zu, given %lld ms "
                 "to finish (a second signal ends them now)\n",
                 name_.c_str(), in_flight(), static_cast<long long>(grace_.count()));
  }

  // A second signal, or the grace period is over, or no connection is left.
  // Handlers waiting for Kong are unwound as the server goes. One running
  // out of the loop's lock (on another serving thread, in kong.blocking) may
  // be stuck there and cannot be joined: then the process ends here,
  // without unwinding any.
  void force() {
    stop_listening();
    const std::size_t left = in_flight();
    if (left > 0)
      std::fprintf(stderr, "%s: exiting with events unfinished: %zu\n", name_.c_str(), left);
    if (driver_.elsewhere() == 0) {
      loop_.stop();
      return;
    }
    std::fflush(stderr);
    std::_Exit(0);
  }

  void stop_listening() {
    if (listen_fd_ < 0)
      return;
    loop_.remove(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink(socket_path_.c_str());
  }

  void accept() {
    // Every connection waiting, at once: Kong opens several in a burst.
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
          std::fprintf(stderr, "accept: %s\n", std::strerror(errno));
        }
        if (errno == EINTR || errno == ECONNABORTED)
          continue;
        return;
      }
      std::unique_ptr<server::Connection> conn;
      if (protocol_ == Protocol::protobuf) {
        conn.reset(new_protobuf_(fd, loop_, protobuf_));
      } else {
        auto msgpack = std::make_unique<server::MsgpackConnection>(fd, loop_, dispatcher_, limits_);
        msgpack->announce_pid();  // ProtoBuf:1 has no notifications
        conn = std::move(msgpack);
      }
      connections_.insert_or_assign(conn.get(), std::move(conn));
    }
  }

  int listen_fd_;
  std::string socket_path_;
  std::string name_;
  std::chrono::milliseconds grace_;
  Protocol protocol_;
  // Events go before what they use: the stacks their fibers unwind into,
  // the monitor, the plugin. Those waiting on blocking work are held by
  // the pool's work until it is done, then by the loop's posted tasks.
  server::StackPool stacks_;
  server::StallMonitor stalls_;
  server::Instances instances_;
  server::EventLoop loop_;
  // Blocks the stop signals before any other thread starts.
  server::GracefulShutdown shutdown_;
  server::BlockingPool blocking_;
  // Joined before anything they use goes (~Server).
  server::LoopThreads threads_;
  server::EventDriver driver_;
  server::RpcDispatcher dispatcher_;
  protocol::MsgpackLimits limits_;
  std::size_t protobuf_events_ = 0;  // counted by the ProtoBuf:1 connections
  server::ProtobufContext protobuf_;
  server::NewProtobufConnection new_protobuf_;
  ReadWatcher accept_;
  std::unordered_map<server::Connection*, std::unique_ptr<server::Connection>> connections_;
};

}  // namespace

int run_plugin_server(int argc, char** argv, const PluginType& type, ServerOptions options) {
  const std::string name = executable_name(argc > 0 ? argv[0] : "plugin");
  auto cl = server::parse_command_line(argc, argv);
  if (!cl) {
    std::fprintf(stderr, "%s: %s\n\n%s", name.c_str(), cl.error().message.c_str(),
                 server::usage(name).c_str());
    return 2;
  }
  if (cl->help) {
    std::fputs(server::usage(name).c_str(), stdout);
    return 0;
  }
  if (cl->max_message_bytes)
    options.max_message_bytes = *cl->max_message_bytes;
  if (cl->protocol)
    options.protocol = *cl->protocol;
  // KONG_PDK_BUSY_POLL_US sets the default: mock-kong --bench --instructions
  // turns the spin off, as its length depends on time, not on work.
  if (const char* us = std::getenv("KONG_PDK_BUSY_POLL_US"); us != nullptr && *us != '\0')
    options.busy_poll = std::chrono::microseconds(std::strtoll(us, nullptr, 10));
  if (cl->busy_poll)
    options.busy_poll = *cl->busy_poll;
  if (const char* ms = std::getenv("KONG_PDK_STALL_MS"); ms != nullptr && *ms != '\0')
    options.stall_report = std::chrono::milliseconds(std::strtoll(ms, nullptr, 10));
  if (cl->stall_report)
    options.stall_report = *cl->stall_report;
  if (cl->threads)
    options.threads = *cl->threads;
  if (cl->offload_above)
    options.offload_above = *cl->offload_above;
  if (cl->blocking_threads)
    options.blocking_threads = *cl->blocking_threads;
  if (cl->shutdown_grace)
    options.shutdown_grace = *cl->shutdown_grace;
  const std::string socket_path = cl->kong_prefix + "/" + name + ".socket";
  // A handler spelt `Access`, or taking the wrong argument, compiles: it is
  // just not a handler. Said at -dump time, which Kong runs first.
  if (type.phases.empty()) {
    std::fprintf(stderr,
                 "%s: warning: the plugin handles no phase, so Kong never runs it: its Config "
                 "has no member certificate, rewrite, access, response, preread or log taking "
                 "kong::Pdk&\n",
                 name.c_str());
  }
  if (cl->dump) {
    std::puts(server::plugin_info(name, type, options.protocol, socket_path).dump().c_str());
    return 0;
  }

  auto fd = server::open_listen_socket(socket_path);
  if (!fd) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), fd.error().message.c_str());
    return 1;
  }
  // A peer that hangs up mid-write must cost an error code, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Server server(*fd, socket_path, name, type, options);
    std::fprintf(stderr, "%s: listening on %s\n", name.c_str(), socket_path.c_str());
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    ::unlink(socket_path.c_str());
    return 1;
  }
  ::unlink(socket_path.c_str());
  return 0;
}

}  // namespace kong
