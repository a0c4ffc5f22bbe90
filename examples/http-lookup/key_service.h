// A small HTTP service that says who owns an API key, as an identity or
// introspection service would: GET /keys/<key> answers 200 with the owner's
// name, 404 for a key it does not know, 500 for the key "k-broken" (a
// service failing). http-lookup's tests start one in process; the
// key-service program serves one for a replay by hand.
#pragma once

#include <httplib.h>

#include <map>
#include <string>
#include <thread>

namespace http_lookup {

class KeyService {
 public:
  explicit KeyService(std::map<std::string, std::string> owners) : owners_(std::move(owners)) {
    server_.Get(R"(/keys/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string key = req.matches[1];
      if (key == "k-broken") {
        res.status = 500;
        res.set_content("the directory is down", "text/plain");
        return;
      }
      const auto owner = owners_.find(key);
      res.status = owner == owners_.end() ? 404 : 200;
      res.set_content(owner == owners_.end() ? "unknown key" : owner->second, "text/plain");
    });
  }
  ~KeyService() { stop(); }
  KeyService(const KeyService&) = delete;
  KeyService& operator=(const KeyService&) = delete;

  /// Serves on 127.0.0.1:`port` (0: a free one) on a thread of its own;
  /// returns the port, or -1 when it cannot bind.
  int start(int port = 0) {
    const int bound = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                                : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    if (bound < 0)
      return -1;
    // Bound and listening already: connections wait in the backlog until
    // the thread accepts them. Returns once it runs, so that stop() stops it.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::yield();
    return bound;
  }

  void stop() {
    server_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  /// Serves in the calling thread until stop() from another.
  bool serve(int port) { return server_.listen("127.0.0.1", port); }

 private:
  std::map<std::string, std::string> owners_;
  httplib::Server server_;
  std::thread thread_;
};

/// The keys the examples and their fixture use.
inline std::map<std::string, std::string> example_owners() {
  return {{"k-alice", "alice"}, {"k-bob", "bob"}};
}

}  // namespace http_lookup
