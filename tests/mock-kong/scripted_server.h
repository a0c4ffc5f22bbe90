#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kong/protocol/value.h"

namespace kong::test {

/// A plugin server that answers from a script instead of running a plugin:
/// for each request it calls `respond` and sends back what it returns. It
/// records every request, so tests can check what Kong's side sent.
class ScriptedServer {
 public:
  struct Request {
    std::string method;
    protocol::Array params;
  };
  struct Response {
    protocol::Value result;
    std::string error;  // non-empty: an error answer
  };
  using Responder = std::function<Response(const Request&)>;

  ScriptedServer(std::string socket_path, Responder respond);
  ~ScriptedServer();

  /// Requests received so far, in order.
  std::vector<Request> requests();

 private:
  void serve();

  std::string socket_path_;
  Responder respond_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

/// {"EventId": id, "Data": data}: a plugin server's answer to HandleEvent/Step.
protocol::Value EventAnswer(std::int64_t event_id, protocol::Value data);
/// {"Method": name, "Args": args}: a PDK call a handler makes.
protocol::Value PdkCall(std::string_view method, protocol::Array args);

}  // namespace kong::test
