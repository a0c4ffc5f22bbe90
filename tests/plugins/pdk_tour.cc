// A plugin that calls every function of the PDK, each in a phase Kong allows
// it in, and writes each result to Kong's log as `tour <function> <JSON>`.
// tests/plugins/pdk-tour.json replays it through mock-kong and checks the
// answers: with the examples' fixtures it makes every PDK function travel
// through the socket (PdkCoverage).
//
// The request header `x-tour` picks what the access handler does beyond the
// getters: "exit", "error", "retry-callback"; absent, the full tour.
#include <string>
#include <type_traits>

#include "kong/pdk.h"

namespace {

template <class T>
nlohmann::json show_one(const T& v) {
  if constexpr (std::is_same_v<T, kong::Bytes>) {
    return v.data;
  } else if constexpr (std::is_same_v<T, kong::UriCaptures>) {
    return {{"unnamed", v.unnamed}, {"named", v.named}};
  } else if constexpr (kong::config_detail::Record<T>) {
    return kong::config_detail::write(v);
  } else {
    return nlohmann::json(v);
  }
}

template <class T>
nlohmann::json show(const T& v) {
  if constexpr (kong::config_detail::is_optional<T>::value) {
    return v ? show_one(*v) : nlohmann::json(nullptr);
  } else {
    return show_one(v);
  }
}

// Logs one result; `what` names the function as Kong does, without "kong.".
template <class T>
void report(kong::Pdk& kong, std::string_view what, const T& result) {
  kong.log.info("tour ", what, " ", show(result).dump());
}

// Functions Kong allows in every phase.
void anywhere(kong::Pdk& kong) {
  report(kong, "ip.is_trusted", kong.ip.is_trusted(kong.client.get_ip()));
  report(kong, "node.get_id", kong.node.get_id());
  report(kong, "node.get_hostname", kong.node.get_hostname());
  report(kong, "node.get_memory_stats", kong.node.get_memory_stats());
  report(kong, "cluster.get_id", kong.cluster.get_id());
  report(kong, "plugin.get_id", kong.plugin.get_id());
  report(kong, "nginx.get_subsystem", kong.nginx.get_subsystem());
  report(kong, "nginx.get_tls1_version_str", kong.nginx.get_tls1_version_str());
  report(kong, "nginx.get_statistics", kong.nginx.get_statistics().is_object());
  report(kong, "nginx.req_start_time", kong.nginx.req_start_time() > 0);
}

void tour_certificate(kong::Pdk& kong) {
  // Kong's stream subsystem has no kong.client.tls.
  if (kong.nginx.get_subsystem() == "http") {
    report(kong, "client.tls.disable_session_reuse", kong.client.tls.disable_session_reuse());
    report(kong, "client.tls.request_client_certificate",
           kong.client.tls.request_client_certificate());
  }
  report(kong, "client.get_ip", kong.client.get_ip());
  report(kong, "request.get_port", kong.request.get_port());
}

void tour_rewrite(kong::Pdk& kong) {
  anywhere(kong);
  report(kong, "request.get_scheme", kong.request.get_scheme());
  report(kong, "request.get_host", kong.request.get_host());
  report(kong, "request.get_port", kong.request.get_port());
  report(kong, "request.get_forwarded_scheme", kong.request.get_forwarded_scheme());
  report(kong, "request.get_forwarded_host", kong.request.get_forwarded_host());
  report(kong, "request.get_forwarded_port", kong.request.get_forwarded_port());
  report(kong, "request.get_forwarded_path", kong.request.get_forwarded_path());
  report(kong, "request.get_forwarded_prefix", kong.request.get_forwarded_prefix());
  report(kong, "request.get_http_version", kong.request.get_http_version());
  report(kong, "request.get_method", kong.request.get_method());
  report(kong, "request.get_path", kong.request.get_path());
  report(kong, "request.get_raw_path", kong.request.get_raw_path());
  report(kong, "request.get_path_with_query", kong.request.get_path_with_query());
  report(kong, "request.get_raw_query", kong.request.get_raw_query());
  report(kong, "request.get_query", kong.request.get_query());
  report(kong, "request.get_query_arg", kong.request.get_query_arg("a"));
  report(kong, "request.get_header", kong.request.get_header("x-id"));
  report(kong, "request.get_headers", kong.request.get_headers(50));
  report(kong, "request.get_raw_body", kong.request.get_raw_body());
  report(kong, "request.get_body", kong.request.get_body());
  report(kong, "request.get_start_time", kong.request.get_start_time() > 0);
  report(kong, "client.get_ip", kong.client.get_ip());
  report(kong, "client.get_forwarded_ip", kong.client.get_forwarded_ip());
  report(kong, "client.get_port", kong.client.get_port());
  report(kong, "client.get_forwarded_port", kong.client.get_forwarded_port());
  report(kong, "client.tls.get_full_client_certificate_chain",
         kong.client.tls.get_full_client_certificate_chain());
  kong.client.tls.set_client_verify("NONE");
  kong.ctx.shared.set("tour", {{"from", "rewrite"}});
  kong.nginx.set_ctx("tour", "nginx ctx");
  report(kong, "nginx.get_ctx", kong.nginx.get_ctx("tour"));
  report(kong, "nginx.get_var", kong.nginx.get_var("request_uri"));
  report(kong, "vault.is_reference", kong.vault.is_reference("{vault://env/tour-secret}"));
  report(kong, "vault.parse_reference", kong.vault.parse_reference("{vault://env/tour-secret}"));
  report(kong, "vault.get", kong.vault.get("{vault://env/tour-secret}"));
  // Kong's update resolves the fields a table names in "$refs".
  report(kong, "vault.update",
         kong.vault.update(
             {{"password", ""}, {"$refs", {{"password", "{vault://env/tour-secret}"}}}}));
  kong.vault.warmup({{"password", "{vault://env/tour-secret}"}});
  kong.vault.flush();
  kong.vault.init_worker();
  report(kong, "telemetry.log",
         kong.telemetry.log("pdk-tour", nlohmann::json::object(), "tour", "hello", std::nullopt));
  kong.log.alert("tour level alert");
  kong.log.crit("tour level crit");
  kong.log.err("tour level err");
  kong.log.warn("tour level warn");
  kong.log.notice("tour level notice");
  kong.log.debug("tour level debug");
  kong.log.deprecation("tour level deprecation");
}

void tour_access(kong::Pdk& kong) {
  const std::string stop = kong.request.get_header("x-tour").value_or("");
  if (stop == "exit")
    kong.response.exit(418, nlohmann::json{{"message", "short and stout"}});
  if (stop == "error")
    kong.response.error(404);
  if (stop == "retry-callback")
    kong.service.set_target_retry_callback();  // Kong raises: no Lua function

  report(kong, "ctx.shared.get", kong.ctx.shared.get("tour"));
  report(kong, "request.get_uri_captures", kong.request.get_uri_captures());
  report(kong, "router.get_route", kong.router.get_route());
  report(kong, "router.get_service", kong.router.get_service());
  const auto consumer = kong.client.load_consumer("alice", true);
  report(kong, "client.load_consumer", consumer);
  if (consumer)
    kong.client.authenticate(*consumer,
                             kong::entity::Credential{.id = "cred-1", .consumer_id = consumer->id});
  report(kong, "client.get_consumer", kong.client.get_consumer());
  report(kong, "client.get_credential", kong.client.get_credential());
  report(kong, "client.get_protocol", kong.client.get_protocol());

  report(kong, "service.set_upstream", kong.service.set_upstream("no-such-upstream"));
  kong.service.set_target("10.1.2.3", 8080);
  kong.service.set_retries(2);
  kong.service.set_timeouts(1000, 2000, 3000);
  report(kong, "service.set_tls_verify", kong.service.set_tls_verify(true));
  report(kong, "service.set_tls_verify_depth", kong.service.set_tls_verify_depth(2));

  kong.service.request.enable_buffering();
  kong.service.request.set_scheme("https");
  kong.service.request.set_method("POST");
  kong.service.request.set_path("/tour");
  kong.service.request.set_raw_query("x=1");
  kong.service.request.set_query(kong::MultiMap{{"q", {"1", "2"}}});
  kong.service.request.set_headers(kong::MultiMap{{"x-set", {"a"}}, {"x-gone", {"b"}}});
  kong.service.request.set_header("x-tour", "yes");
  kong.service.request.add_header("x-tour", "again");
  kong.service.request.clear_header("x-gone");
  kong.service.request.set_raw_body(kong::Bytes{"raw"});
  report(kong, "service.request.set_body",
         kong.service.request.set_body({{"name", "tour"}}, "application/json"));

  kong.response.set_status(201);
  kong.response.set_headers(kong::MultiMap{{"x-response-set", {"1"}}});
  kong.response.set_header("x-tour", "set");
  kong.response.add_header("x-tour", "added");
  kong.response.add_header("x-drop", "soon");
  kong.response.clear_header("x-drop");
  kong.log.set_serialize_value("tour", "serialized");
}

void tour_response(kong::Pdk& kong) {
  report(kong, "service.response.get_status", kong.service.response.get_status());
  report(kong, "service.response.get_header", kong.service.response.get_header("content-type"));
  report(kong, "service.response.get_headers", kong.service.response.get_headers());
  report(kong, "service.response.get_raw_body", kong.service.response.get_raw_body());
  report(kong, "service.response.get_body", kong.service.response.get_body());
  report(kong, "response.get_status", kong.response.get_status());
  report(kong, "response.get_header", kong.response.get_header("x-tour"));
  report(kong, "response.get_headers", kong.response.get_headers());
  report(kong, "response.get_source", kong.response.get_source());
}

void tour_preread(kong::Pdk& kong) {
  anywhere(kong);
  report(kong, "service.request.disable_tls", kong.service.request.disable_tls());
  kong.service.set_target("10.9.9.9", 9000);
}

void tour_log(kong::Pdk& kong) {
  report(kong, "response.get_source", kong.response.get_source());
  report(kong, "response.get_status", kong.response.get_status());
  const nlohmann::json entry = kong.log.serialize();
  report(kong, "log.serialize", nlohmann::json{{"tour", entry.value("tour", "")}});
}

}  // namespace

struct Config {
  static constexpr auto fields() { return std::tuple{}; }
  void certificate(kong::Pdk& kong) { tour_certificate(kong); }
  void rewrite(kong::Pdk& kong) { tour_rewrite(kong); }
  void access(kong::Pdk& kong) { tour_access(kong); }
  void response(kong::Pdk& kong) { tour_response(kong); }
  void preread(kong::Pdk& kong) { tour_preread(kong); }
  void log(kong::Pdk& kong) { tour_log(kong); }
};

int main(int argc, char** argv) {
  return kong::start_server<Config>(argc, argv, "0.1.0", 10);
}
