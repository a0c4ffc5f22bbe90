// kong.router: the route and service Kong matched (the case's `route` and
// `service`), completed with the fields Kong's database always fills in, as
// kong/pdk/router.lua hands ngx.ctx.route and ngx.ctx.service over.
#include "emulation/emulation.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Value;

// Ids and timestamps for entities the fixture gives none: fixed, so that
// replays are repeatable.
constexpr std::string_view kRouteId = "0b3a9c1e-5d4f-4a6b-8c7d-9e0f1a2b3c4d";
constexpr std::string_view kServiceId = "7c9d2e4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f";
constexpr std::int64_t kCreatedAt = 1700000000;

// Kong's schema defaults for what the fixture leaves out.
nlohmann::json with_defaults(nlohmann::json entity, const nlohmann::json& defaults) {
  for (const auto& [key, value] : defaults.items()) {
    if (!entity.contains(key))
      entity[key] = value;
  }
  return entity;
}

Value get_route(KongState& s, const Array&) {
  if (!s.route.is_object())
    return Value{};
  return protocol::json_to_value(route_entity(s));
}

Value get_service(KongState& s, const Array&) {
  if (!s.service.is_object())
    return Value{};
  return protocol::json_to_value(service_entity(s));
}

}  // namespace

nlohmann::json service_entity(const KongState& s) {
  return with_defaults(s.service, {{"id", kServiceId},
                                   {"ws_id", kWorkspaceId},
                                   {"created_at", kCreatedAt},
                                   {"updated_at", kCreatedAt},
                                   {"protocol", "http"},
                                   {"port", 80},
                                   {"retries", 5},
                                   {"connect_timeout", 60000},
                                   {"write_timeout", 60000},
                                   {"read_timeout", 60000},
                                   {"enabled", true}});
}

nlohmann::json route_entity(const KongState& s) {
  nlohmann::json route = with_defaults(s.route, {{"id", kRouteId},
                                                 {"ws_id", kWorkspaceId},
                                                 {"created_at", kCreatedAt},
                                                 {"updated_at", kCreatedAt},
                                                 {"protocols", {"http", "https"}},
                                                 {"https_redirect_status_code", 426},
                                                 {"regex_priority", 0},
                                                 {"strip_path", true},
                                                 {"path_handling", "v0"},
                                                 {"preserve_host", false},
                                                 {"request_buffering", true},
                                                 {"response_buffering", true}});
  // A route points at its service by id ({"id": ...}), as Kong stores it.
  if (!route.contains("service") && s.service.is_object())
    route["service"] = {{"id", service_entity(s)["id"]}};
  return route;
}

void register_router(Emulation& e) {
  using enum protocol::MethodId;
  e.add(router_get_route, get_route);
  e.add(router_get_service, get_service);
}

}  // namespace kong::mock
