#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/pdk/config.h"

/// Kong's entities as the PDK hands them to plugins (kong.client,
/// kong.router, kong.node). They travel as maps; fields Kong leaves out stay
/// at their defaults, fields these structs do not name are ignored. The
/// `fields()` lists are the same mapping a plugin config uses (config.h).
namespace kong::entity {

/// A consumer (kong.client.get_consumer, load_consumer, authenticate).
struct Consumer {
  std::string id;
  std::int64_t created_at = 0;
  std::optional<std::string> username;
  std::optional<std::string> custom_id;
  std::vector<std::string> tags;

  static constexpr auto fields() {
    return std::tuple{field("id", &Consumer::id), field("created_at", &Consumer::created_at),
                      field("username", &Consumer::username),
                      field("custom_id", &Consumer::custom_id), field("tags", &Consumer::tags)};
  }
};

/// A reference to another entity: {"id": ...}.
struct Key {
  std::string id;
  static constexpr auto fields() { return std::tuple{field("id", &Key::id)}; }
};

/// The credential a consumer authenticated with (kong.client.get_credential).
/// Credentials from Kong's database name their consumer as `consumer`
/// ({"id": ...}); those a plugin passes to authenticate usually as
/// `consumer_id`. Either may be empty.
struct Credential {
  std::string id;
  std::string consumer_id;
  std::optional<Key> consumer = std::nullopt;

  static constexpr auto fields() {
    return std::tuple{field("id", &Credential::id), field("consumer_id", &Credential::consumer_id),
                      field("consumer", &Credential::consumer)};
  }
};

/// The matched route (kong.router.get_route).
struct Route {
  std::string id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> name;
  std::vector<std::string> protocols;
  std::vector<std::string> methods;
  std::vector<std::string> hosts;
  std::vector<std::string> paths;
  /// Header name to the values that match it.
  std::map<std::string, std::vector<std::string>> headers;
  std::int64_t https_redirect_status_code = 426;
  std::int64_t regex_priority = 0;
  bool strip_path = true;
  bool preserve_host = false;
  std::vector<std::string> snis;
  /// Stream routes: {"ip": ..., "port": ...} entries, as Kong has them.
  nlohmann::json sources;
  nlohmann::json destinations;
  std::vector<std::string> tags;
  std::optional<Key> service;

  static constexpr auto fields() {
    return std::tuple{field("id", &Route::id),
                      field("created_at", &Route::created_at),
                      field("updated_at", &Route::updated_at),
                      field("name", &Route::name),
                      field("protocols", &Route::protocols),
                      field("methods", &Route::methods),
                      field("hosts", &Route::hosts),
                      field("paths", &Route::paths),
                      field("headers", &Route::headers),
                      field("https_redirect_status_code", &Route::https_redirect_status_code),
                      field("regex_priority", &Route::regex_priority),
                      field("strip_path", &Route::strip_path),
                      field("preserve_host", &Route::preserve_host),
                      field("snis", &Route::snis),
                      field("sources", &Route::sources),
                      field("destinations", &Route::destinations),
                      field("tags", &Route::tags),
                      field("service", &Route::service)};
  }
};

/// The matched service (kong.router.get_service).
struct Service {
  std::string id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> name;
  std::int64_t retries = 5;
  std::string protocol = "http";
  std::string host;
  std::int64_t port = 80;
  std::optional<std::string> path;
  std::int64_t connect_timeout = 60000;
  std::int64_t write_timeout = 60000;
  std::int64_t read_timeout = 60000;
  std::vector<std::string> tags;
  std::optional<Key> client_certificate;

  static constexpr auto fields() {
    return std::tuple{field("id", &Service::id),
                      field("created_at", &Service::created_at),
                      field("updated_at", &Service::updated_at),
                      field("name", &Service::name),
                      field("retries", &Service::retries),
                      field("protocol", &Service::protocol),
                      field("host", &Service::host),
                      field("port", &Service::port),
                      field("path", &Service::path),
                      field("connect_timeout", &Service::connect_timeout),
                      field("write_timeout", &Service::write_timeout),
                      field("read_timeout", &Service::read_timeout),
                      field("tags", &Service::tags),
                      field("client_certificate", &Service::client_certificate)};
  }
};

/// Memory use of one lua_shared_dict, in bytes unless a unit was asked for.
struct SharedDictStats {
  nlohmann::json allocated_slabs;
  nlohmann::json capacity;
  static constexpr auto fields() {
    return std::tuple{field("allocated_slabs", &SharedDictStats::allocated_slabs),
                      field("capacity", &SharedDictStats::capacity)};
  }
};

/// Memory use of one worker's Lua VM; `err` when its figure is unavailable.
struct WorkerLuaVmStats {
  std::int64_t pid = 0;
  nlohmann::json http_allocated_gc;
  std::optional<std::string> err;
  static constexpr auto fields() {
    return std::tuple{field("pid", &WorkerLuaVmStats::pid),
                      field("http_allocated_gc", &WorkerLuaVmStats::http_allocated_gc),
                      field("err", &WorkerLuaVmStats::err)};
  }
};

/// kong.node.get_memory_stats. Figures are byte counts, or strings such as
/// "1.25 MiB" when a unit was asked for, so they are kept as JSON values.
struct MemoryStats {
  std::map<std::string, SharedDictStats> lua_shared_dicts;
  std::vector<WorkerLuaVmStats> workers_lua_vms;

  static constexpr auto fields() {
    return std::tuple{field("lua_shared_dicts", &MemoryStats::lua_shared_dicts),
                      field("workers_lua_vms", &MemoryStats::workers_lua_vms)};
  }
};

}  // namespace kong::entity
