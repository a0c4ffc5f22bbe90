// Authenticates the caller by an API key in a header (or query argument),
// as Kong's key-auth does, with the keys in the plugin's configuration:
// a missing or unknown key ends the request with 401 and a JSON message, a
// known key makes its consumer the authenticated one for later plugins and
// tells the upstream who called.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kong/pdk.h"

namespace header_key_auth {

struct Config {
  /// Headers (and query arguments) to look for the key in, in order.
  std::vector<std::string> key_names{"apikey"};
  /// Also accept the key as a query argument.
  bool key_in_query = true;
  /// Remove the key header before the request goes upstream (a query key stays).
  bool hide_credentials = false;
  /// API key -> username of the consumer it belongs to.
  std::map<std::string, std::string> keys;

  static constexpr auto fields() {
    return std::tuple{kong::field("key_names", &Config::key_names),
                      kong::field("key_in_query", &Config::key_in_query),
                      kong::field("hide_credentials", &Config::hide_credentials),
                      kong::field("keys", &Config::keys)};
  }

  void access(kong::Pdk& kong) {
    std::string name;
    std::optional<std::string> key;
    bool from_query = false;
    for (const auto& n : key_names) {
      name = n;
      if ((key = kong.request.get_header(n)))
        break;
      if (key_in_query && (key = kong.request.get_query_arg(n))) {
        from_query = true;
        break;
      }
    }
    if (!key || key->empty()) {
      kong.response.exit(401, nlohmann::json{{"message", "No API key found in request"}},
                         kong::MultiMap{{"WWW-Authenticate", {"Key realm=\"kong\""}}});
    }
    const auto owner = keys.find(*key);
    if (owner == keys.end())
      kong.response.exit(401, nlohmann::json{{"message", "Invalid authentication credentials"}});

    // The consumer comes from Kong's database, looked up by username.
    const auto consumer = kong.client.load_consumer(owner->second, true);
    if (!consumer) {
      kong.log.err("key of unknown consumer ", owner->second);
      kong.response.exit(401, nlohmann::json{{"message", "Invalid authentication credentials"}});
    }
    kong.client.authenticate(
        *consumer, kong::entity::Credential{.id = "key:" + *key, .consumer_id = consumer->id});

    kong.service.request.set_header("X-Consumer-ID", consumer->id);
    kong.service.request.set_header("X-Consumer-Username", consumer->username.value_or(""));
    if (hide_credentials && !from_query)
      kong.service.request.clear_header(name);
    kong.log.info("authenticated ", consumer->username.value_or(consumer->id));
  }
};

}  // namespace header_key_auth
