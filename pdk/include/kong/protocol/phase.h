#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kong {

/// The phases an external plugin can handle, spelled as on the wire.
enum class Phase : std::uint8_t { certificate, rewrite, access, response, preread, log };

inline constexpr Phase kAllPhases[] = {Phase::certificate, Phase::rewrite, Phase::access,
                                       Phase::response,    Phase::preread, Phase::log};

std::string_view to_string(Phase p);
std::optional<Phase> parse_phase(std::string_view name);

}  // namespace kong

namespace kong::protocol {

/// Kong's phase bits (kong/pdk/private/phases.lua). PDK functions are allowed
/// in sets of these, and Kong's error texts list them in bit order, so the
/// phases no external plugin runs in are here too.
enum class KongPhase : std::uint32_t {
  init_worker = 0x00000001,
  certificate = 0x00000002,
  client_hello = 0x00000008,
  rewrite = 0x00000010,
  access = 0x00000020,
  balancer = 0x00000040,
  response = 0x00000080,
  cluster_listener = 0x00000100,
  header_filter = 0x00000200,
  body_filter = 0x00000400,
  log = 0x00002000,
  preread = 0x00004000,
  error = 0x01000000,
  admin_api = 0x10000000,
};

using PhaseMask = std::uint32_t;

constexpr PhaseMask bit(KongPhase p) {
  return static_cast<PhaseMask>(p);
}
constexpr PhaseMask bit(Phase p) {
  switch (p) {
    case Phase::certificate:
      return bit(KongPhase::certificate);
    case Phase::rewrite:
      return bit(KongPhase::rewrite);
    case Phase::access:
      return bit(KongPhase::access);
    case Phase::response:
      return bit(KongPhase::response);
    case Phase::preread:
      return bit(KongPhase::preread);
    case Phase::log:
      return bit(KongPhase::log);
  }
  return 0;
}

/// Every phase Kong knows.
inline constexpr PhaseMask kEveryPhase = 0x1100'67fb;

/// Named sets of allowed phases, as the PDK modules declare them.
namespace phases {
using enum KongPhase;
inline constexpr PhaseMask any = kEveryPhase;
inline constexpr PhaseMask not_init_worker = kEveryPhase & ~bit(init_worker);
inline constexpr PhaseMask request = bit(rewrite) | bit(access) | bit(balancer) | bit(response) |
                                     bit(cluster_listener) | bit(header_filter) | bit(body_filter) |
                                     bit(log) | bit(error) | bit(admin_api);
inline constexpr PhaseMask request_body =
    bit(rewrite) | bit(access) | bit(response) | bit(error) | bit(admin_api);
inline constexpr PhaseMask response_write = bit(rewrite) | bit(access) | bit(balancer) |
                                            bit(response) | bit(header_filter) | bit(error) |
                                            bit(admin_api);
inline constexpr PhaseMask response_read =
    bit(response) | bit(header_filter) | bit(body_filter) | bit(log) | bit(error) | bit(admin_api);
inline constexpr PhaseMask service_request = bit(rewrite) | bit(access) | bit(balancer);
inline constexpr PhaseMask rewrite_access = bit(rewrite) | bit(access);
inline constexpr PhaseMask access_only = bit(access);
/// kong.client's consumer functions: once authentication can have happened.
inline constexpr PhaseMask access_and_later =
    bit(access) | bit(response) | bit(header_filter) | bit(body_filter) | bit(log);
inline constexpr PhaseMask certificate_only = bit(certificate);
inline constexpr PhaseMask client_certificate_chain =
    bit(rewrite) | bit(access) | bit(balancer) | bit(response) | bit(log);
inline constexpr PhaseMask rewrite_to_response =
    bit(rewrite) | bit(access) | bit(balancer) | bit(response);
inline constexpr PhaseMask log_only = bit(log);
inline constexpr PhaseMask serialize_value =
    bit(rewrite) | bit(access) | bit(response) | bit(header_filter) | bit(body_filter) | bit(log);
inline constexpr PhaseMask body_filter_only = bit(body_filter);
inline constexpr PhaseMask balancer_preread = bit(balancer) | bit(preread);
inline constexpr PhaseMask service_response =
    bit(response) | bit(header_filter) | bit(body_filter) | bit(log);
inline constexpr PhaseMask service_target =
    bit(rewrite) | bit(access) | bit(balancer) | bit(preread);
}  // namespace phases

/// How a PDK function checks the phase it is called in (phases.lua).
enum class PhaseCheck : std::uint8_t {
  none,     // callable anywhere
  only,     // check_phase: only in the listed phases
  all_but,  // check_not_phase: anywhere but the phases left out of the mask
};

/// Names of the phases in `mask`, in bit order, comma-space separated: the
/// list Kong's phase errors print.
std::string phase_list(PhaseMask mask);

}  // namespace kong::protocol
