// One plugin driven as Kong drives it (protocol.md §1, §2): query, start,
// configure, restart, stop.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "kong/mock/config_schema.h"
#include "kong/mock/kong_state.h"
#include "kong/mock/session.h"

#include "client/fiber_loop.h"
#include "client/msgpack_plugin_client.h"
#include "client/protobuf_client.h"
#include "client/socket_connection.h"
#include "session/child_process.h"
#include "session/shell_words.h"

namespace kong::mock {
namespace {

// The plugin output a session keeps for reports, per case.
constexpr std::size_t kMaxKeptOutputLines = 1000;
// A server's sockets close as it exits, a moment before its exit status
// shows: a broken connection waits this long for it.
constexpr auto kExitShowsWithin = std::chrono::milliseconds(500);
// A hung server is busy, not shutting down: SIGKILL follows SIGTERM soon.
constexpr auto kHungServerGrace = std::chrono::milliseconds(200);

// Kong identifies plugin entities by UUID; any well-formed one will do.
std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : id) {
    if (c == 'x')
      c = "0123456789abcdef"[hex(rd)];
  }
  return id;
}

// The private prefixes of live sessions, for abandon_all() on a signal.
struct LivePrefixes {
  std::mutex mutex;
  std::set<std::string> paths;
};

LivePrefixes& live_prefixes() {
  static LivePrefixes live;
  return live;
}

}  // namespace

Result<std::unique_ptr<PluginSession>> PluginSession::start(ServerCommand command,
                                                            SessionOptions options) {
  if (command.plugin.empty() && !command.query_cmd)
    return Error{
        "give a PLUGIN command, or a query command (with a start command, unless the "
        "server is started outside mock-kong)"};
  std::unique_ptr<PluginSession> session(new PluginSession());
  session->command_ = std::move(command);
  session->options_ = std::move(options);

  if (session->command_.prefix) {
    std::error_code ec;
    std::filesystem::create_directories(*session->command_.prefix, ec);
    if (ec)
      return Error{fmt::format("{}: cannot make Kong's prefix there: {}", *session->command_.prefix,
                               ec.message())};
    session->prefix_ = *session->command_.prefix;
  } else {
    auto prefix = TempDir::create();
    if (!prefix)
      return prefix.error();
    session->private_prefix_.emplace(std::move(prefix).value());
    session->prefix_ = session->private_prefix_->path();
    LivePrefixes& live = live_prefixes();
    std::lock_guard lock(live.mutex);
    live.paths.insert(session->prefix_);
  }
  const std::string& dir = session->prefix_;

  // Go-convention servers get the private prefix on both commands, so the
  // dump's SocketPath points into it.
  const ServerCommand& c = session->command_;
  const std::string plugin = shell_join(c.plugin);
  const std::string query_cmd =
      c.query_cmd.value_or(plugin + " -kong-prefix " + shell_quote(dir) + " -dump");
  session->external_ = c.plugin.empty() && !c.start_cmd;
  if (!session->external_)
    session->start_cmd_ = c.start_cmd.value_or(plugin + " -kong-prefix " + shell_quote(dir));
  if (session->external_ && !session->options_.start_wrapper.empty()) {
    return Error{fmt::format("{} cannot run a server started outside mock-kong",
                             session->options_.start_wrapper.front())};
  }
  if (!session->options_.start_wrapper.empty()) {
    session->start_cmd_ = shell_join(session->options_.start_wrapper) + " /bin/sh -c " +
                          shell_quote("exec " + session->start_cmd_);
  }

  ExtraEnv env = session->options_.environment;
  env.emplace_back("KONG_PREFIX", dir);
  auto info = query_plugin(query_cmd, session->options_.start_timeout, env);
  if (!info)
    return info.error();
  session->info_ = std::move(info).value();
  auto protocol = parse_protocol(session->info_.protocol);
  if (!protocol || to_string(*protocol) != session->info_.protocol) {
    return Error{fmt::format("{} speaks {}; Kong (and mock-kong) speak MsgPack:1 and ProtoBuf:1",
                             session->info_.name, session->info_.protocol)};
  }
  session->protocol_ = *protocol;
  for (const auto& p : session->info_.phases) {
    if (auto phase = parse_phase(p))
      session->phases_.push_back(*phase);
  }

  // Where the dump names no socket (Kong's JavaScript and Python servers),
  // a PLUGIN is a server named after its executable, which Kong looks for
  // at <prefix>/<server name>.socket (and a Go server listens on); with
  // query and start commands alone, the plugin's name is all there is.
  const std::string server_name = c.name ? *c.name
                                  : c.plugin.empty()
                                      ? session->info_.name
                                      : std::filesystem::path(c.plugin.front()).filename().string();
  session->server_name_ = server_name;
  session->socket_ = session->info_.socket_path.empty() ? dir + "/" + server_name + ".socket"
                                                        : session->info_.socket_path;
  if (c.socket)
    session->socket_ = c.socket->starts_with("/") ? *c.socket : dir + "/" + *c.socket;
  if (auto started = session->external_ ? session->connect_external() : session->start_process();
      !started)
    return started.error();
  return session;
}

// A server started outside mock-kong (kong.conf gives it no start command,
// and Kong assumes "external process management"): connected to, once it
// listens, as Kong would; never started, stopped or started again.
Status PluginSession::connect_external() {
  external_connection_ = connect_unix_once_listening(
      socket_, std::chrono::steady_clock::now() + options_.start_timeout,
      std::chrono::milliseconds(5));
  if (external_connection_ < 0) {
    return Error{fmt::format(
        "nothing listens on {} within {} ms: plugin server {} has no start command, so it is "
        "started outside mock-kong (as Kong assumes), and must be running",
        socket_, options_.start_timeout.count(), server_name_)};
  }
  auto client = make_client();
  if (!client)
    return client.error();
  client_ = std::move(client).value();
  return Ok{};
}

std::unique_ptr<PluginSession> PluginSession::attach(PluginInfo info,
                                                     std::unique_ptr<PluginClient> client) {
  std::unique_ptr<PluginSession> session(new PluginSession());
  session->info_ = std::move(info);
  session->server_name_ = session->info_.name;
  session->protocol_ = parse_protocol(session->info_.protocol).value_or(Protocol::msgpack);
  for (const auto& p : session->info_.phases) {
    if (auto phase = parse_phase(p))
      session->phases_.push_back(*phase);
  }
  session->client_ = std::move(client);
  return session;
}

PluginSession::~PluginSession() {
  (void)stop();
  if (external_connection_ >= 0)
    ::close(external_connection_);
  if (private_prefix_) {
    LivePrefixes& live = live_prefixes();
    std::lock_guard lock(live.mutex);
    live.paths.erase(private_prefix_->path());
  }
}

bool PluginSession::handles(Phase phase) const {
  return std::find(phases_.begin(), phases_.end(), phase) != phases_.end();
}

Status PluginSession::start_process() {
  PluginProcess::Options process;
  process.start_cmd = start_cmd_;
  process.name = server_name_;
  process.socket_path = socket_;
  process.start_timeout = options_.start_timeout;
  process.env = options_.environment;
  process.env.emplace_back("KONG_PREFIX", prefix_);
  process.sink = [this](const std::string& line) {
    if (options_.output_per_case) {
      std::lock_guard lock(output_mutex_);
      output_.push_back(line);
      if (output_.size() > kMaxKeptOutputLines)
        output_.erase(output_.begin());
    }
    if (options_.output) {
      options_.output(line);
      return;
    }
    // One write per line, so lines from other threads do not interleave.
    const std::string out = line + "\n";
    std::fwrite(out.data(), 1, out.size(), stderr);
  };
  started_at_ = std::chrono::steady_clock::now();
  auto started = PluginProcess::start(std::move(process));
  if (!started)
    return started.error();
  process_ = std::move(started).value();
  auto client = make_client();
  if (!client)
    return client.error();
  client_ = std::move(client).value();
  return Ok{};
}

// Kong's side of the protocol the plugin's dump names, starting with the
// connection that saw the server ready.
Result<std::unique_ptr<PluginClient>> PluginSession::make_client() {
  const int ready =
      process_ ? process_->take_ready_connection() : std::exchange(external_connection_, -1);
  auto first = ready >= 0 ? SocketConnection::adopt(ready, options_.call_timeout) : nullptr;
  switch (protocol_) {
    case Protocol::protobuf: {
      auto client = std::make_unique<ProtobufClient>(
          ProtobufClient::Options{.socket_path = socket_, .timeout = options_.call_timeout});
      if (first)
        client->adopt(std::move(first));
      return std::unique_ptr<PluginClient>(std::move(client));
    }
    case Protocol::msgpack:
      break;
  }
  auto transport = std::make_unique<MsgpackClient>(MsgpackClient::Options{
      .socket_path = socket_, .pool_size = 2, .timeout = options_.call_timeout});
  if (first)
    transport->adopt(std::move(first));
  return std::unique_ptr<PluginClient>(std::make_unique<MsgpackPluginClient>(std::move(transport)));
}

Status PluginSession::configure(const nlohmann::json& config, const std::string& where,
                                const ReferenceResolver& resolve) {
  base_config_ = config;
  resolve_ = resolve;
  return apply_config(config, where, Entity{});
}

Status PluginSession::use_config(const std::optional<nlohmann::json>& config,
                                 const std::string& case_path) {
  const nlohmann::json& wanted = config ? *config : base_config_;
  if (wanted == config_in_use_ && instance_id_ != 0)
    return Ok{};
  return apply_config(wanted, case_path + ".config", entity_);
}

Status PluginSession::apply_config(const nlohmann::json& config, const std::string& where,
                                   const Entity& entity) {
  const ReferenceResolver& resolve = resolve_;
  config_in_use_ = config;
  auto checked = validate_config(config, info_.schema, where);
  if (!checked)
    return checked.error();
  config_warnings_.clear();
  config_ = resolve ? resolve_config_references(std::move(checked).value(), info_.schema, resolve,
                                                config_warnings_)
                    : std::move(checked).value();
  return start_entity(entity);
}

Status PluginSession::use_entity(const Entity& entity) {
  if (entity == entity_ && instance_id_ != 0)
    return Ok{};
  return start_entity(entity);
}

// Kong's keys for the plugin entity (kong/runloop/plugins_iterator.lua,
// get_plugin_config; protocol.md §2), then a new instance with them.
Status PluginSession::start_entity(const Entity& entity) {
  nlohmann::json config = config_;
  if (entity.route_id)
    config["route_id"] = *entity.route_id;
  if (entity.service_id)
    config["service_id"] = *entity.service_id;
  if (entity.consumer_id)
    config["consumer_id"] = *entity.consumer_id;
  plugin_id_ = random_uuid();
  config["__plugin_id"] = plugin_id_;
  config["__ws_id"] = kWorkspaceId;
  config["__key__"] =
      fmt::format("plugins:{}:{}:{}:{}::{}", info_.name, entity.route_id.value_or(""),
                  entity.service_id.value_or(""), entity.consumer_id.value_or(""), kWorkspaceId);
  config["__seq__"] = ++seq_;
  config_text_ = config.dump();
  entity_ = entity;
  return restart_instance();
}

Status PluginSession::restart_instance() {
  if (!client_)
    return Error{down_};
  auto id = client_->start_instance(info_.name, config_text_);
  if (!id)
    return id.error();
  instance_id_ = *id;
  return Ok{};
}

Status PluginSession::restart() {
  if (!process_ && external_) {
    return Error{
        fmt::format("plugin server {} is started outside mock-kong (it has no start "
                    "command): mock-kong cannot start it again",
                    server_name_)};
  }
  if (!process_)
    return Error{fmt::format("{} runs in this process: it cannot be restarted", info_.name)};
  // Starting the server again is Kong's own business, bounded by the start
  // and call timeouts: not by the bound of the case that lost it.
  struct WithoutCaseBound {
    std::optional<Deadline> saved = std::exchange(current_case_deadline(), std::nullopt);
    ~WithoutCaseBound() { current_case_deadline() = std::move(saved); }
  } without_case_bound;
  client_.reset();
  process_->stop();
  process_.reset();
  down_.clear();
  // As Kong (kong/runloop/plugin_servers/process.lua), at most once a
  // second by default, however soon the server ended.
  std::this_thread::sleep_until(started_at_ + options_.respawn_spacing);
  if (auto started = start_process(); !started) {
    down_ = "the plugin server could not be started again: " + started.error().message;
    return Error{down_};
  }
  if (config_text_.empty())
    return Ok{};
  return restart_instance();
}

std::optional<PluginSession::ServerLoss> PluginSession::recover(ConnectionFault fault) {
  if (!process_ || !down_.empty())
    return std::nullopt;
  ServerLoss loss;
  if (fault == ConnectionFault::timed_out) {
    loss.hung = true;
    process_->stop(kHungServerGrace);
  } else if (fault == ConnectionFault::closed || fault == ConnectionFault::failed) {
    auto how = process_->ended(kExitShowsWithin);
    if (!how)
      return std::nullopt;
    loss.how = *how;
    process_->stop();  // reaps it, and relays the rest of its output
  } else {
    return std::nullopt;
  }
  loss.last_output = process_->output_tail();
  if (process_->exit_code() == 127) {
    // Kong tries such a command again every second, to the same end; the
    // cases after this one would only wait for it.
    down_ = fmt::format(
        "the plugin server {}; Kong would try it again every second, mock-kong does not", loss.how);
    loss.restart_error = down_;
    client_.reset();
    return loss;
  }
  if (auto restarted = restart(); !restarted)
    loss.restart_error = restarted.error().message;
  return loss;
}

std::string PluginSession::aftermath(const ServerLoss& loss) {
  std::string text =
      loss.restart_error.empty()
          ? fmt::format("; mock-kong {} it again", loss.hung ? "stopped it and started" : "started")
          : "; " + loss.restart_error;
  if (!loss.last_output.empty())
    text += "\nits last output:\n" + loss.last_output;
  return text;
}

std::optional<std::string> PluginSession::how_server_ended() {
  if (!process_)
    return std::nullopt;
  return process_->ended(std::chrono::milliseconds(0));
}

Status PluginSession::stop() {
  Status closed = Ok{};
  if (!down_.empty())
    client_.reset();
  if (client_ && instance_id_ != 0 && (!process_ || process_->running()))
    closed = client_->close_instance(instance_id_);
  instance_id_ = 0;
  client_.reset();
  if (process_)
    process_->stop();
  return closed;
}

PluginSession::CaseBound::CaseBound(PluginSession& session) {
  const auto timeout = session.options_.case_timeout;
  if (timeout.count() > 0) {
    // Said the same way for every case: formatted once per bound.
    thread_local std::chrono::milliseconds said_for{-1};
    thread_local std::string said;
    if (said_for != timeout) {
      said = fmt::format("the case's {} ms", timeout.count());
      said_for = timeout;
    }
    current_case_deadline() = Deadline{Clock::now() + timeout, said};
  }
}

PluginSession::CaseBound::~CaseBound() {
  current_case_deadline().reset();
}

std::vector<std::string> PluginSession::take_output() {
  if (!options_.output_per_case)
    return {};
  if (process_)
    process_->wait_relayed();
  std::lock_guard lock(output_mutex_);
  return std::exchange(output_, {});
}

void PluginSession::abandon_all() {
  kill_all_children();
  LivePrefixes& live = live_prefixes();
  std::lock_guard lock(live.mutex);
  for (const auto& path : live.paths) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
}

}  // namespace kong::mock
