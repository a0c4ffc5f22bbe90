#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>

#include "kong/pdk/plugin.h"
#include "server/command_line.h"
#include "server/connection.h"
#include "server/listen_socket.h"
#include "server/plugin_info.h"
#include "server/rpc_dispatcher.h"

namespace kong {
namespace {

using asio::local::stream_protocol;

// Kong drops an event it gave up on without telling the server; after this
// long without a Step, its handler is unwound and its stack reused.
constexpr auto kEventIdleLimit = std::chrono::seconds(60);
constexpr auto kExpirySweep = std::chrono::seconds(10);

// The name Kong knows the plugin by: the executable's, as in the Go PDK.
std::string executable_name(const char* argv0) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = argv0;
  return exe.filename().string();
}

class Server {
 public:
  Server(int listen_fd, std::string name, const PluginType& type, const ServerOptions& options)
      : io_(ASIO_CONCURRENCY_HINT_UNSAFE_IO),
        acceptor_(io_, stream_protocol(), listen_fd),
        signals_(io_, SIGINT, SIGTERM),
        sweep_(io_),
        dispatcher_(std::move(name), type, options),
        limits_{options.max_message_bytes, 256} {}

  void run() {
    accept();
    signals_.async_wait([this](const std::error_code&, int) {
      acceptor_.close();
      io_.stop();
    });
    sweep();
    io_.run();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](const std::error_code& ec, stream_protocol::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<server::Connection>(std::move(socket), dispatcher_, limits_)->start();
      accept();
    });
  }

  void sweep() {
    sweep_.expires_after(kExpirySweep);
    sweep_.async_wait([this](const std::error_code& ec) {
      if (ec) return;
      dispatcher_.expire_events(kEventIdleLimit);
      sweep();
    });
  }

  asio::io_context io_;
  stream_protocol::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer sweep_;
  server::RpcDispatcher dispatcher_;
  protocol::MsgpackLimits limits_;
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
  if (cl->max_message_bytes) options.max_message_bytes = *cl->max_message_bytes;
  const std::string socket_path = cl->kong_prefix + "/" + name + ".socket";
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
    Server server(*fd, name, type, options);
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
