#include "plugin_fixture.h"

#include <fmt/format.h>

#include "session/shell_words.h"

namespace kong::bench {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopGrace = std::chrono::seconds(5);

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

  std::vector<std::string> argv = {executable, "-kong-prefix", fixture->prefix_.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  mock::PluginProcess::Options options;
  options.start_cmd = mock::shell_join(argv);
  options.name = name;
  options.socket_path = fixture->socket_path_;
  options.start_timeout = kStartTimeout;
  // Kept for errors (output_tail), not printed between benchmark lines.
  options.sink = [](const std::string&) {};
  auto process = mock::PluginProcess::start(std::move(options));
  if (!process)
    return process.error();
  fixture->process_ = std::move(process).value();
  return fixture;
}

PluginFixture::~PluginFixture() {
  process_->stop(kStopGrace);
}

Result<std::int64_t> start_instance(mock::MsgpackClient& kong, std::string_view plugin,
                                    std::string_view config_json) {
  protocol::Map arg;
  arg.emplace_back(protocol::Value("Name"), protocol::Value(plugin));
  arg.emplace_back(protocol::Value("Config"), protocol::Value(config_json));
  auto answer = kong.call(protocol::rpc::Command::start_instance,
                          protocol::Array{protocol::Value(std::move(arg))});
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

protocol::Array step_params(std::int64_t event_id, protocol::Value data) {
  protocol::Map m;
  m.emplace_back(protocol::Value("EventId"), protocol::Value(event_id));
  if (!data.is_nil())
    m.emplace_back(protocol::Value("Data"), std::move(data));
  return protocol::Array{protocol::Value(std::move(m))};
}

const protocol::Value& event_data(const protocol::Value& reply) {
  static const protocol::Value nil;
  const protocol::Value* data = reply.is_map() ? reply.find("Data") : nullptr;
  return data != nullptr ? *data : nil;
}

}  // namespace kong::bench
