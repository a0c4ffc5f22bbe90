#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kong/pdk/channel.h"
#include "kong/pdk/entities.h"

namespace kong {

/// kong.client.tls: the TLS connection with the client, on https and tls
/// listeners.
class ClientTls {
 public:
  explicit ClientTls(Channel& channel) : channel_(channel) {}

  /// Stops the client from resuming its TLS session, so that the certificate
  /// phase runs again on its next handshake. True when done; false when Kong
  /// refused (its reason does not reach the plugin). Phase certificate.
  bool disable_session_reuse() {
    return channel_.call(protocol::methods::client_tls_disable_session_reuse).value_or(false);
  }
  /// The certificate chain the client presented, as PEM; nullopt when it
  /// presented none or the handshake failed. Phases rewrite, access, response
  /// and log.
  std::optional<std::string> get_full_client_certificate_chain() {
    return channel_.call(protocol::methods::client_tls_get_full_client_certificate_chain);
  }
  /// Would make Kong ask the client for a certificate during the handshake.
  /// Kong's function wants a parsed CA list (an FFI pointer), which no plugin
  /// can send over the socket: Kong raises, the event fails and the call does
  /// not return. Phase certificate.
  bool request_client_certificate() {
    return channel_.call(protocol::methods::client_tls_request_client_certificate).value_or(false);
  }
  /// Overrides the verification result Kong reports for the client
  /// certificate (logs and kong.log.serialize): "SUCCESS", "NONE" or
  /// "FAILED:<reason>"; Kong raises for anything else. Phases rewrite, access
  /// and response.
  void set_client_verify(std::string_view result) {
    channel_.call(protocol::methods::client_tls_set_client_verify, result);
  }

 private:
  Channel& channel_;
};

/// kong.client: the downstream client, and who it authenticated as.
class Client {
 public:
  explicit Client(Channel& channel) : tls(channel), channel_(channel) {}

  ClientTls tls;

  /// Makes `consumer` and `credential` the request's authenticated identity
  /// for later plugins; a nullopt clears that half, and Kong raises when both
  /// are nullopt. Phase access.
  void authenticate(const std::optional<entity::Consumer>& consumer,
                    const std::optional<entity::Credential>& credential) {
    channel_.call(protocol::methods::client_authenticate, consumer, credential);
  }
  /// The consumer the request authenticated as; nullopt when none did.
  /// Phases access, response and log.
  std::optional<entity::Consumer> get_consumer() {
    return channel_.call(protocol::methods::client_get_consumer);
  }
  /// The credential the request authenticated with; nullopt when none.
  /// Phases access, response and log.
  std::optional<entity::Credential> get_credential() {
    return channel_.call(protocol::methods::client_get_credential);
  }
  /// Client address once nginx applied real_ip (the forwarded address when
  /// the peer is trusted). Any phase.
  std::string get_forwarded_ip() {
    return channel_.call(protocol::methods::client_get_forwarded_ip);
  }
  /// Client port once nginx applied real_ip; nullopt when a trusted proxy
  /// named the client without a port (nginx leaves $remote_port empty). Any phase.
  std::optional<std::int64_t> get_forwarded_port() {
    return channel_.call(protocol::methods::client_get_forwarded_port);
  }
  /// Address of the connection's peer (not X-Forwarded-For). Any phase.
  std::string get_ip() { return channel_.call(protocol::methods::client_get_ip); }
  /// Port of the connection's peer. Any phase.
  std::int64_t get_port() { return channel_.call(protocol::methods::client_get_port); }
  /// "http", "https", "tcp", "tls", or the matched route's only protocol
  /// ("grpcs"...). With `allow_terminated`, a trusted peer's
  /// X-Forwarded-Proto counts. nullopt when Kong could not tell (no route,
  /// several X-Forwarded-Proto). Phases access, response and log.
  std::optional<std::string> get_protocol(std::optional<bool> allow_terminated = std::nullopt) {
    return channel_.call(protocol::methods::client_get_protocol, allow_terminated);
  }
  /// The consumer with this id, from Kong's database; with
  /// `search_by_username`, by username when no id matches. nullopt when none
  /// exists or the lookup failed; Kong raises for a non-UUID id without
  /// `search_by_username`. Phases access, response and log.
  std::optional<entity::Consumer> load_consumer(
      std::string_view consumer_id, std::optional<bool> search_by_username = std::nullopt) {
    return channel_.call(protocol::methods::client_load_consumer, consumer_id, search_by_username);
  }

 private:
  Channel& channel_;
};

}  // namespace kong
