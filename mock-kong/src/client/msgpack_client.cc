#include "client/msgpack_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "client/unix_socket.h"

namespace kong::mock {

using protocol::Array;
using protocol::Value;

struct MsgpackClient::Connection {
  int fd = -1;
  protocol::MsgpackStream in;
  ~Connection() {
    if (fd >= 0)
      ::close(fd);
  }
};

MsgpackClient::MsgpackClient(Options options) : options_(std::move(options)) {
  pool_.resize(std::max<std::size_t>(1, options_.pool_size));
}

MsgpackClient::~MsgpackClient() = default;

Result<MsgpackClient::Connection*> MsgpackClient::connection() {
  auto& slot = pool_[next_++ % pool_.size()];
  if (slot)
    return slot.get();
  auto fd = connect_unix(options_.socket_path, options_.timeout);
  if (!fd)
    return fd.error();
  auto conn = std::make_unique<Connection>();
  conn->fd = *fd;
  slot = std::move(conn);
  return slot.get();
}

Result<MsgpackClient::Answer> MsgpackClient::call(std::string_view method, Array params) {
  auto conn = connection();
  if (!conn)
    return Error{fmt::format("{}: {}", method, conn.error().message)};
  Connection& c = **conn;
  // Drop a broken connection so that the next call opens a fresh one, as
  // Kong's pool would.
  auto broken = [&](std::string why) -> Result<Answer> {
    for (auto& slot : pool_) {
      if (slot.get() == &c)
        slot.reset();
    }
    return Error{fmt::format("{}: {}", method, why)};
  };

  const std::int64_t msgid = next_msgid_++;
  std::string out;
  protocol::msgpack_encode(
      Value(Array{Value(0), Value(msgid), Value(method), Value(std::move(params))}), out,
      protocol::StrForm::kong);
  if (!send_all(c.fd, out))
    return broken(fmt::format("writing to the plugin server: {}", std::strerror(errno)));

  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  for (;;) {
    Value message;
    std::string error;
    switch (c.in.next(message, error)) {
      case protocol::MsgpackStream::Status::error:
        return broken(fmt::format("undecodable answer: {}", error));
      case protocol::MsgpackStream::Status::need_more: {
        auto space = c.in.prepare();
        const ssize_t n = ::recv(c.fd, space.data(), space.size(), 0);
        if (n == 0)
          return broken("the plugin server closed the connection");
        if ((n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ||
            std::chrono::steady_clock::now() > deadline) {
          return broken(fmt::format("no answer within {} ms", options_.timeout.count()));
        }
        if (n < 0 && errno != EINTR) {
          return broken(fmt::format("reading from the plugin server: {}", std::strerror(errno)));
        }
        if (n > 0)
          c.in.commit(static_cast<std::size_t>(n));
        continue;
      }
      case protocol::MsgpackStream::Status::value:
        break;
    }
    const Array* parts = message.is_array() ? &message.as_array() : nullptr;
    // [2, label, args]: a notification, which may come before the answer.
    if (parts && parts->size() == 3 && (*parts)[0] == Value(2)) {
      if ((*parts)[1].is_text() && (*parts)[1].text() == "serverPid" && (*parts)[2].is_int()) {
        server_pid_ = (*parts)[2].as_int();
      }
      continue;
    }
    if (!parts || parts->size() != 4 || (*parts)[0] != Value(1)) {
      return broken(fmt::format("expected an answer [1, msgid, error, result], got {}",
                                protocol::to_debug_string(message)));
    }
    if ((*parts)[1] != Value(msgid)) {
      return broken(fmt::format("answer for msgid {} arrived, expected {}",
                                protocol::to_debug_string((*parts)[1]), msgid));
    }
    Answer answer;
    const Value& err = (*parts)[2];
    if (!err.is_nil())
      answer.error = err.is_text() ? std::string(err.text()) : protocol::to_debug_string(err);
    answer.result = std::move(message.as_array()[3]);
    return answer;
  }
}

}  // namespace kong::mock
