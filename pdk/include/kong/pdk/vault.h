#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kong/pdk/channel.h"

namespace kong {

/// kong.vault: secrets behind references such as "{vault://env/db-password}".
/// Any phase.
class Vault {
 public:
  explicit Vault(Channel& channel) : channel_(channel) {}

  /// Empties this worker's secret cache and has every secret fetched again.
  void flush() { channel_.call(protocol::methods::vault_flush); }
  /// The secret `reference` points to, through Kong's caches; nullopt when it
  /// is not a reference, the vault failed or the secret is known missing.
  std::optional<std::string> get(std::string_view reference) {
    return channel_.call(protocol::methods::vault_get, reference);
  }
  /// Kong's own start-up of the vault module in a worker; plugins have no
  /// reason to call it.
  void init_worker() { channel_.call(protocol::methods::vault_init_worker); }
  /// Whether `reference` has the form of one: "{vault://" ... "}". Nothing is
  /// looked up.
  bool is_reference(std::string_view reference) {
    return channel_.call(protocol::methods::vault_is_reference, reference);
  }
  /// The parts of a reference: an object with name, resource, key, config
  /// and version; nullopt when it is not a valid reference.
  std::optional<nlohmann::json> parse_reference(std::string_view reference) {
    return channel_.call(protocol::methods::vault_parse_reference, reference);
  }
  /// `options` with each field its "$refs" names replaced by the cached
  /// secret, recursively; anything but an object comes back unchanged.
  nlohmann::json update(const nlohmann::json& options) {
    return channel_.call(protocol::methods::vault_update, options);
  }
  /// Resolves every reference among the keys and values of `input`, so that
  /// later lookups find them cached.
  void warmup(const nlohmann::json& input) {
    channel_.call(protocol::methods::vault_warmup, input);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
