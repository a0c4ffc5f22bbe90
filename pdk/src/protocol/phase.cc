#include "kong/protocol/phase.h"

namespace kong {

std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::certificate:
      return "certificate";
    case Phase::rewrite:
      return "rewrite";
    case Phase::access:
      return "access";
    case Phase::response:
      return "response";
    case Phase::preread:
      return "preread";
    case Phase::log:
      return "log";
  }
  return "?";
}

std::optional<Phase> parse_phase(std::string_view name) {
  for (Phase p : kAllPhases) {
    if (to_string(p) == name)
      return p;
  }
  return std::nullopt;
}

}  // namespace kong

namespace kong::protocol {
namespace {

struct NamedPhase {
  KongPhase phase;
  std::string_view name;
};

// In bit order, as Kong lists them.
constexpr NamedPhase kKongPhases[] = {
    {KongPhase::init_worker, "init_worker"},
    {KongPhase::certificate, "certificate"},
    {KongPhase::client_hello, "client_hello"},
    {KongPhase::rewrite, "rewrite"},
    {KongPhase::access, "access"},
    {KongPhase::balancer, "balancer"},
    {KongPhase::response, "response"},
    {KongPhase::cluster_listener, "cluster_listener"},
    {KongPhase::header_filter, "header_filter"},
    {KongPhase::body_filter, "body_filter"},
    {KongPhase::log, "log"},
    {KongPhase::preread, "preread"},
    {KongPhase::error, "error"},
    {KongPhase::admin_api, "admin_api"},
};

}  // namespace

std::string phase_list(PhaseMask mask) {
  std::string out;
  for (const auto& p : kKongPhases) {
    if ((mask & bit(p.phase)) == 0)
      continue;
    if (!out.empty())
      out += ", ";
    out += p.name;
  }
  return out;
}

}  // namespace kong::protocol
