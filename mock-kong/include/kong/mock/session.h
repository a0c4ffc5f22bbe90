#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/mock/config_schema.h"
#include "kong/mock/plugin_client.h"
#include "kong/mock/plugin_info.h"
#include "kong/mock/plugin_process.h"
#include "kong/mock/temp_dir.h"
#include "kong/pdk/protocol.h"
#include "kong/protocol/phase.h"
#include "kong/result.h"

namespace kong::mock {

/// How Kong finds and starts a plugin server (protocol.md §1): a
/// Go-convention command, or Kong's own pluginserver_* settings.
struct ServerCommand {
  /// PLUGIN [ARGS...]: run as `PLUGIN -kong-prefix DIR -dump` and
  /// `PLUGIN -kong-prefix DIR`, DIR being the session's private prefix.
  std::vector<std::string> plugin;
  /// Kong's pluginserver_<name>_query_cmd, start_cmd and socket; each
  /// replaces what the Go conventions give. A relative socket is inside the
  /// private prefix. Both commands see the prefix as $KONG_PREFIX. A query
  /// command without a start command (and no PLUGIN) is a server started
  /// outside mock-kong, as Kong takes a kong.conf server without one: it
  /// is only connected to.
  std::optional<std::string> query_cmd;
  std::optional<std::string> start_cmd;
  std::optional<std::string> socket;
  /// The server's name, as Kong prefixes its output lines ("[name:pid]"):
  /// kong.conf's pluginserver_names entry. Default: PLUGIN's file name, or
  /// with commands alone the plugin's name.
  std::optional<std::string> name;
  /// Kong's prefix (kong.conf's `prefix`), to run the server in instead of
  /// a private one: the commands' $KONG_PREFIX, where a relative socket
  /// is. Made when missing; left in place at the end.
  std::optional<std::string> prefix;
};

struct SessionOptions {
  /// How long the query may run, and how long to wait for the socket.
  std::chrono::milliseconds start_timeout{10000};
  /// How long Kong waits for each answer of the plugin server.
  std::chrono::milliseconds call_timeout{10000};
  /// How long all the waits of one case may take together; none when 0.
  std::chrono::milliseconds case_timeout{30000};
  /// The least time between two starts of the server: Kong's second, so
  /// that a server failing at start is not started in a storm.
  std::chrono::milliseconds respawn_spacing{1000};
  /// Variables set for the query and start commands, besides KONG_PREFIX
  /// (--fuzz: KONG_FUZZ_COVERAGE).
  std::vector<std::pair<std::string, std::string>> environment;
  /// Where the plugin's output lines go, each prefixed "[name:pid] " as in
  /// Kong's log; stderr when empty. Called on the relay thread.
  PluginProcess::LineSink output;
  /// Whether take_output() gathers the lines case by case, waiting for the
  /// relay to catch up; --bench, whose cases overlap, does not.
  bool output_per_case = true;
  /// A command the server's start command runs under, e.g. valgrind and
  /// its options (--bench --instructions): `WRAPPER... /bin/sh -c 'exec START'`.
  std::vector<std::string> start_wrapper;
};

/// One plugin driven as Kong drives it, for every mode of mock-kong: its
/// server process (when there is one) in a private prefix, Kong's client for
/// the protocol the plugin speaks, and the configured instance the cases run
/// on. Everything it started dies with it, on every path.
class PluginSession {
 public:
  /// Queries the plugin and starts its server as Kong does, in a fresh
  /// private prefix. Errors name the command and what went wrong.
  static Result<std::unique_ptr<PluginSession>> start(ServerCommand command,
                                                      SessionOptions options = {});
  /// A session over a server the caller already runs, e.g. in this process
  /// (kong::testing): `info` as its dump would give it.
  static std::unique_ptr<PluginSession> attach(PluginInfo info,
                                               std::unique_ptr<PluginClient> client);

  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;
  /// Stops the server and removes the prefix.
  ~PluginSession();

  const PluginInfo& info() const { return info_; }
  /// The server's name, as its output lines are prefixed.
  const std::string& server_name() const { return server_name_; }
  Protocol protocol() const { return protocol_; }
  /// The phases the plugin handles, from its dump.
  const std::vector<Phase>& phases() const { return phases_; }
  bool handles(Phase phase) const;
  PluginClient& client() { return *client_; }

  /// Checks `config` against the plugin's schema, filling in its defaults, as
  /// Kong does, resolves its vault references with `resolve` as Kong does
  /// when it loads the plugin, and starts an instance with it as a global
  /// plugin's (with Kong's keys: __seq__, __key__, __ws_id and a random
  /// __plugin_id). `where` starts error messages (the fixture file).
  Status configure(const nlohmann::json& config, const std::string& where,
                   const ReferenceResolver& resolve = {});
  /// What Kong logged at warn level loading the configuration: references
  /// it could not resolve.
  const std::vector<std::string>& config_warnings() const { return config_warnings_; }
  /// Makes the instance the cases run on one configured with `config` (a
  /// case's own), or with configure()'s when nullopt: checked and resolved
  /// as configure() does, and an instance started only when it changes, as
  /// Kong has a plugin entity per configuration. Errors start with
  /// "<case_path>.config".
  Status use_config(const std::optional<nlohmann::json>& config, const std::string& case_path);

  /// The plugin entity a case's plugin is: its scope's ids (Kong's
  /// route_id, service_id and consumer_id keys); all empty for a global one.
  struct Entity {
    std::optional<std::string> route_id;
    std::optional<std::string> service_id;
    std::optional<std::string> consumer_id;
    bool operator==(const Entity&) const = default;
  };
  /// Makes the instance the cases run on that of `entity`: Kong has one
  /// plugin entity, and so one instance, per scope, and starts another for
  /// another entity (a new __seq__, __key__ and __plugin_id).
  Status use_entity(const Entity& entity);
  /// The configured instance (0 before configure()).
  std::int64_t instance_id() const { return instance_id_; }
  /// Its configuration as Kong sent it to the server (JSON, with Kong's keys).
  const std::string& config_text() const { return config_text_; }
  /// Where the server listens (empty for an attached session).
  const std::string& socket_path() const { return socket_; }
  /// The configuration's __plugin_id (kong.plugin.get_id).
  const std::string& plugin_id() const { return plugin_id_; }
  /// Starts the configured instance anew, as Kong does when the server
  /// answers that it does not know it (it restarted).
  Status restart_instance();

  /// Stops the server and starts it again with a new client and the same
  /// instance configuration, as Kong respawns a server that died: not
  /// sooner than a second after its previous start.
  Status restart();

  /// How the server failed, as recover() found it.
  struct ServerLoss {
    /// "was killed by signal 11 (SIGSEGV)", "exited with status 3"; empty
    /// for a server that hung.
    std::string how;
    bool hung = false;
    /// The last lines it printed (at most 20), joined with newlines.
    std::string last_output;
    /// Why it could not be started again; empty when it runs again.
    std::string restart_error;
  };
  /// What followed a loss, for a report to put after how the server was
  /// lost: "; mock-kong started it again" (or why it could not), then its
  /// last output lines.
  static std::string aftermath(const ServerLoss& loss);
  /// After a command or event failed with `fault` on its connection: whether
  /// the server died (a closed connection, and the process gone) or hung (a
  /// timeout), and if so the server started again, as Kong respawns one, so
  /// that what comes next runs on its own. nullopt when the server is fine
  /// (it closed a connection on purpose, or answered garbage), and for an
  /// attached server. Kong gives up on a command that was not found (exit
  /// status 127), and so does this.
  std::optional<ServerLoss> recover(ConnectionFault fault);
  /// Whether the server process has ended, without waiting: for a mode
  /// that talks to the socket itself; recover(ConnectionFault::closed)
  /// then says how and starts it again.
  bool server_ended() { return how_server_ended().has_value(); }
  /// How the server process ended ("exited with status 3"), without
  /// waiting; nullopt while it runs, and for an attached session.
  std::optional<std::string> how_server_ended();
  /// Why the server cannot serve (it could not be started again); empty
  /// while it can.
  const std::string& down() const { return down_; }
  /// Closes the instance and stops the server; idempotent. An error says
  /// what the server answered to the close.
  Status stop();

  /// Bounds every wait on the server by the case timeout while it lives:
  /// one per case, held by the thread, or under --bench by the fiber, that
  /// runs the case (Deadline::for_call reads it).
  class CaseBound {
   public:
    explicit CaseBound(PluginSession& session);
    ~CaseBound();
    CaseBound(const CaseBound&) = delete;
    CaseBound& operator=(const CaseBound&) = delete;
  };

  /// The server process; nullptr for an attached session.
  const PluginProcess* process() const { return process_.get(); }
  /// The lines the plugin printed since the last call (at most the last
  /// 1000), each with its "[name:pid] " prefix.
  std::vector<std::string> take_output();

  /// Kills every session's server and removes its prefix: for a signal
  /// handler's thread, while the sessions may be in use elsewhere.
  static void abandon_all();

 private:
  PluginSession() = default;
  Status start_process();
  Status connect_external();
  Result<std::unique_ptr<PluginClient>> make_client();
  Status start_entity(const Entity& entity);
  Status apply_config(const nlohmann::json& config, const std::string& where, const Entity& entity);

  ServerCommand command_;
  SessionOptions options_;
  std::optional<TempDir> private_prefix_;
  /// The private prefix's path, or Kong's (ServerCommand::prefix).
  std::string prefix_;
  std::string server_name_;
  PluginInfo info_;
  Protocol protocol_ = Protocol::msgpack;
  std::vector<Phase> phases_;
  std::string socket_;
  std::string start_cmd_;
  // Started outside mock-kong: no process_, and its first connection until
  // the client takes it.
  bool external_ = false;
  int external_connection_ = -1;
  std::unique_ptr<PluginProcess> process_;
  // When the server was last started: Kong starts it again a second after.
  std::chrono::steady_clock::time_point started_at_;
  std::unique_ptr<PluginClient> client_;
  /// The checked configuration, without Kong's per-entity keys.
  nlohmann::json config_;
  std::vector<std::string> config_warnings_;
  /// configure()'s configuration and resolver, and the one in use, as given.
  nlohmann::json base_config_;
  ReferenceResolver resolve_;
  nlohmann::json config_in_use_;
  Entity entity_;
  std::int64_t seq_ = 0;
  std::string config_text_;
  std::int64_t instance_id_ = 0;
  std::string plugin_id_;

  std::string down_;

  std::mutex output_mutex_;
  std::vector<std::string> output_;
};

}  // namespace kong::mock
