#include "scripted_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "kong/protocol/msgpack_stream.h"

namespace kong::test {

using protocol::Array;
using protocol::Map;
using protocol::Value;

ScriptedServer::ScriptedServer(std::string socket_path, Responder respond)
    : socket_path_(std::move(socket_path)), respond_(std::move(respond)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 || ::pipe(wake_fds_) != 0) {
    throw std::runtime_error("scripted server cannot listen on " + socket_path_);
  }
  thread_ = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer() {
  const char stop = 1;
  (void)!::write(wake_fds_[1], &stop, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

std::vector<ScriptedServer::Request> ScriptedServer::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ScriptedServer::serve() {
  struct Conn {
    explicit Conn(int f) : fd(f) {}
    int fd;
    protocol::MsgpackStream in;
  };
  std::vector<std::unique_ptr<Conn>> conns;
  for (;;) {
    std::vector<pollfd> fds{{wake_fds_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (auto& c : conns)
      fds.push_back({c->fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0)
      continue;
    if (fds[0].revents != 0)
      break;
    if (fds[1].revents != 0) {
      conns.push_back(std::make_unique<Conn>(::accept(listen_fd_, nullptr, nullptr)));
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0)
        continue;
      Conn& c = *conns[i - 2];
      auto space = c.in.prepare();
      const ssize_t n = ::read(c.fd, space.data(), space.size());
      if (n <= 0) {
        ::close(c.fd);
        c.fd = -1;
        continue;
      }
      c.in.commit(static_cast<std::size_t>(n));
      Value message;
      std::string error;
      while (c.in.next(message, error) == protocol::MsgpackStream::Status::value) {
        const Array& parts = message.as_array();
        Request request{std::string(parts[2].text()), parts[3].as_array()};
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(request);
        }
        Response response = respond_(request);
        std::string out;
        protocol::msgpack_encode(
            Value(Array{Value(1), parts[1],
                        response.error.empty() ? Value() : Value(response.error),
                        std::move(response.result)}),
            out);
        (void)!::write(c.fd, out.data(), out.size());
      }
    }
    std::erase_if(conns, [](const auto& c) { return c->fd < 0; });
  }
  for (auto& c : conns)
    ::close(c->fd);
}

Value EventAnswer(std::int64_t event_id, Value data) {
  return Value(Map{{Value("EventId"), Value(event_id)}, {Value("Data"), std::move(data)}});
}

Value PdkCall(std::string_view method, Array args) {
  return Value(Map{{Value("Method"), Value(method)}, {Value("Args"), Value(std::move(args))}});
}

}  // namespace kong::test
