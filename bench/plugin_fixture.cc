#include "plugin_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "client/unix_socket.h"

extern char** environ;

namespace kong::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(1);

// Reaps `pid` if it has exited by `deadline`; false if it still runs.
bool reap_by(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR))
      return true;
    if (Clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

PluginFixture::PluginFixture(mock::TempDir prefix, std::string name)
    : prefix_(std::move(prefix)),
      name_(std::move(name)),
      socket_path_(prefix_.path() + "/" + name_ + ".socket") {}

Result<std::unique_ptr<PluginFixture>> PluginFixture::start(const std::string& executable,
                                                            const std::vector<std::string>& args) {
  auto prefix = mock::TempDir::create("kong-bench");
  if (!prefix)
    return Error{fmt::format("{}: {}", executable, prefix.error().message)};
  const std::string name = executable.substr(executable.rfind('/') + 1);
  std::unique_ptr<PluginFixture> fixture(new PluginFixture(std::move(prefix).value(), name));

  const std::string log = fixture->prefix_.path() + "/server.log";
  const std::string prefix_path = fixture->prefix_.path();
  std::vector<const char*> argv = {executable.c_str(), "-kong-prefix", prefix_path.c_str()};
  for (const auto& arg : args)
    argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int err = ::posix_spawn(&fixture->pid_, executable.c_str(), &actions, nullptr,
                                const_cast<char**>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    fixture->pid_ = -1;
    return Error{fmt::format("cannot run {}: {}", executable, std::strerror(err))};
  }

  const auto deadline = Clock::now() + kStartTimeout;
  for (;;) {
    if (auto fd = mock::connect_unix(fixture->socket_path_, kStartTimeout)) {
      ::close(*fd);
      break;
    }
    int status = 0;
    if (::waitpid(fixture->pid_, &status, WNOHANG) == fixture->pid_) {
      fixture->pid_ = -1;
      return Error{fmt::format("{} exited before listening on {}; its output:\n{}", executable,
                               fixture->socket_path_, fixture->output())};
    }
    if (Clock::now() >= deadline) {
      return Error{fmt::format("{} did not listen on {} within {} s; its output:\n{}", executable,
                               fixture->socket_path_, kStartTimeout.count(), fixture->output())};
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return fixture;
}

PluginFixture::~PluginFixture() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  if (!reap_by(pid_, Clock::now() + kStopTimeout)) {
    ::kill(pid_, SIGKILL);
    reap_by(pid_, Clock::now() + kStopTimeout);
  }
}

std::string PluginFixture::output() const {
  std::ifstream in(prefix_.path() + "/server.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::int64_t> start_instance(mock::MsgpackClient& kong, std::string_view plugin,
                                    std::string_view config_json) {
  protocol::Map arg;
  arg.emplace_back(protocol::Value("Name"), protocol::Value(plugin));
  arg.emplace_back(protocol::Value("Config"), protocol::Value(config_json));
  auto answer = kong.call("plugin.StartInstance", protocol::Array{protocol::Value(std::move(arg))});
  if (!answer)
    return answer.error();
  if (answer->error)
    return Error{"plugin.StartInstance: " + *answer->error};
  const protocol::Value* id = answer->result.find("Id");
  if (id == nullptr || !id->is_int()) {
    return Error{"plugin.StartInstance: expected a reply with an integer Id, got " +
                 protocol::to_debug_string(answer->result)};
  }
  return id->as_int();
}

const protocol::Value& event_data(const protocol::Value& reply) {
  static const protocol::Value nil;
  const protocol::Value* data = reply.is_map() ? reply.find("Data") : nullptr;
  return data != nullptr ? *data : nil;
}

}  // namespace kong::bench
