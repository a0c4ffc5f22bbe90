// Results of the typed PDK as Kong sends them over MsgPack:1: entities,
// URI captures, the serialized log record, and "true or nil" answers.
#include <functional>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kong/pdk/pdk.h"

#include "pdk/fake_channel.h"
#include "pdk/test_values.h"

namespace kong {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;
using test::FakeChannel;
using test::StrMap;

TEST(TypedPdkResults, DecodesAConsumerAsKongSendsIt) {
  FakeChannel channel(Phase::access);
  // A consumer row: fields the struct does not name (type, updated_at,
  // username_lower) are ignored, a null custom_id is absent.
  channel.answer(StrMap({{"id", "8a3c2b0e-1f1a-4c3e-9d55-0c8a4f1e2b11"},
                         {"created_at", 1700000000},
                         {"updated_at", 1700000100},
                         {"username", "alice"},
                         {"username_lower", "alice"},
                         {"custom_id", Value{}},
                         {"tags", Array{"gold"}},
                         {"type", 0}}));
  Pdk kong(channel);
  const std::optional<entity::Consumer> c = kong.client.get_consumer();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->id, "8a3c2b0e-1f1a-4c3e-9d55-0c8a4f1e2b11");
  EXPECT_EQ(c->created_at, 1700000000);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->custom_id, std::nullopt);
  EXPECT_EQ(c->tags, std::vector<std::string>{"gold"});
}

TEST(TypedPdkResults, DecodesAConsumerWithoutTagsFromAnEmptyTable) {
  FakeChannel channel(Phase::access);
  channel.answer(StrMap({{"id", "c1"}, {"tags", Value(Map{})}, {"custom_id", "ext-1"}}));
  Pdk kong(channel);
  const std::optional<entity::Consumer> c = kong.client.load_consumer("c1");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->tags.empty());
  EXPECT_EQ(c->custom_id, "ext-1");
  EXPECT_EQ(c->username, std::nullopt);
}

TEST(TypedPdkResults, GivesNulloptWhenNoEntityIsThere) {
  FakeChannel channel(Phase::log);
  Pdk kong(channel);
  EXPECT_EQ(kong.client.get_consumer(), std::nullopt);
  EXPECT_EQ(kong.client.get_credential(), std::nullopt);
  EXPECT_EQ(kong.router.get_route(), std::nullopt);
  EXPECT_EQ(kong.router.get_service(), std::nullopt);
}

TEST(TypedPdkResults, DecodesACredentialAsKongSendsIt) {
  FakeChannel channel(Phase::access);
  channel.answer(StrMap({{"id", "k1"}, {"consumer_id", "c1"}, {"key", "secret"}}));
  Pdk kong(channel);
  const std::optional<entity::Credential> cred = kong.client.get_credential();
  ASSERT_TRUE(cred.has_value());
  EXPECT_EQ(cred->id, "k1");
  EXPECT_EQ(cred->consumer_id, "c1");
}

TEST(TypedPdkResults, DecodesTheConsumerOfACredentialFromKongsDatabase) {
  FakeChannel channel(Phase::access);
  channel.answer(StrMap({{"id", "k1"}, {"consumer", StrMap({{"id", "c1"}})}, {"key", "secret"}}));
  Pdk kong(channel);
  const std::optional<entity::Credential> cred = kong.client.get_credential();
  ASSERT_TRUE(cred.has_value() && cred->consumer.has_value());
  EXPECT_EQ(cred->consumer->id, "c1");
  EXPECT_EQ(cred->consumer_id, "");
}

TEST(TypedPdkResults, DecodesARouteAsKongSendsIt) {
  FakeChannel channel(Phase::access);
  // Lua's empty tables (headers, snis) pack as empty arrays; a null name is absent.
  channel.answer(StrMap({{"id", "r1"},
                         {"created_at", 1700000000},
                         {"updated_at", 1700000001},
                         {"name", Value{}},
                         {"protocols", Array{"http", "https"}},
                         {"methods", Array{"GET"}},
                         {"hosts", Array{"example.com"}},
                         {"paths", Array{"~/users/(?<id>\\d+)$"}},
                         {"headers", Array{}},
                         {"snis", Array{}},
                         {"https_redirect_status_code", 426},
                         {"regex_priority", 10},
                         {"strip_path", false},
                         {"preserve_host", true},
                         {"path_handling", "v0"},
                         {"service", StrMap({{"id", "s1"}})}}));
  Pdk kong(channel);
  const std::optional<entity::Route> r = kong.router.get_route();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->id, "r1");
  EXPECT_EQ(r->updated_at, 1700000001);
  EXPECT_EQ(r->name, std::nullopt);
  EXPECT_EQ(r->protocols, (std::vector<std::string>{"http", "https"}));
  EXPECT_EQ(r->methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(r->hosts, std::vector<std::string>{"example.com"});
  EXPECT_EQ(r->paths, std::vector<std::string>{"~/users/(?<id>\\d+)$"});
  EXPECT_TRUE(r->headers.empty());
  EXPECT_TRUE(r->snis.empty());
  EXPECT_EQ(r->regex_priority, 10);
  EXPECT_FALSE(r->strip_path);
  EXPECT_TRUE(r->preserve_host);
  ASSERT_TRUE(r->service.has_value());
  EXPECT_EQ(r->service->id, "s1");
}

TEST(TypedPdkResults, DecodesAServiceAsKongSendsIt) {
  FakeChannel channel(Phase::response);
  channel.answer(StrMap({{"id", "s1"},
                         {"name", "users"},
                         {"protocol", "https"},
                         {"host", "users.internal"},
                         {"port", 8443},
                         {"path", "/v1"},
                         {"retries", 3},
                         {"connect_timeout", 1000},
                         {"write_timeout", 2000},
                         {"read_timeout", 3000},
                         {"enabled", true},
                         {"tags", Array{}},
                         {"client_certificate", StrMap({{"id", "cert1"}})}}));
  Pdk kong(channel);
  const std::optional<entity::Service> s = kong.router.get_service();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->name, "users");
  EXPECT_EQ(s->protocol, "https");
  EXPECT_EQ(s->host, "users.internal");
  EXPECT_EQ(s->port, 8443);
  EXPECT_EQ(s->path, "/v1");
  EXPECT_EQ(s->retries, 3);
  EXPECT_EQ(s->connect_timeout, 1000);
  EXPECT_EQ(s->write_timeout, 2000);
  EXPECT_EQ(s->read_timeout, 3000);
  ASSERT_TRUE(s->client_certificate.has_value());
  EXPECT_EQ(s->client_certificate->id, "cert1");
}

TEST(TypedPdkResults, DecodesMemoryStatsInBytesAndInAUnit) {
  FakeChannel channel(Phase::access);
  channel
      .answer(
          StrMap({{"lua_shared_dicts",
                   StrMap({{"kong", StrMap({{"allocated_slabs", 12288}, {"capacity", 5242880}})}})},
                  {"workers_lua_vms",
                   Array{StrMap({{"http_allocated_gc", 1102}, {"pid", 18004}}),
                         StrMap({{"pid", 18005}, {"err", "could not get worker's VM"}})}}}))
      .answer(StrMap({{"lua_shared_dicts", StrMap({{"kong", StrMap({{"allocated_slabs", "0.01 MiB"},
                                                                    {"capacity", "5.00 MiB"}})}})},
                      {"workers_lua_vms",
                       Array{StrMap({{"http_allocated_gc", "0.00 MiB"}, {"pid", 18004}})}}}));
  Pdk kong(channel);

  const entity::MemoryStats bytes = kong.node.get_memory_stats();
  ASSERT_EQ(bytes.lua_shared_dicts.count("kong"), 1u);
  EXPECT_EQ(bytes.lua_shared_dicts.at("kong").allocated_slabs, 12288);
  EXPECT_EQ(bytes.lua_shared_dicts.at("kong").capacity, 5242880);
  ASSERT_EQ(bytes.workers_lua_vms.size(), 2u);
  EXPECT_EQ(bytes.workers_lua_vms[0].pid, 18004);
  EXPECT_EQ(bytes.workers_lua_vms[0].http_allocated_gc, 1102);
  EXPECT_EQ(bytes.workers_lua_vms[0].err, std::nullopt);
  EXPECT_EQ(bytes.workers_lua_vms[1].err, "could not get worker's VM");

  const entity::MemoryStats mib = kong.node.get_memory_stats("m");
  EXPECT_EQ(mib.lua_shared_dicts.at("kong").capacity, "5.00 MiB");
  EXPECT_EQ(mib.workers_lua_vms.at(0).http_allocated_gc, "0.00 MiB");
}

TEST(TypedPdkResults, DecodesUriCapturesWithTheWholeMatchAtIndexZero) {
  FakeChannel channel(Phase::access);
  // Index 0 makes `unnamed` a map with integer keys on the wire.
  channel.answer(StrMap({{"unnamed", Value(Map{{0, "/users/42/posts"}, {1, "42"}, {2, "posts"}})},
                         {"named", StrMap({{"id", "42"}})}}));
  Pdk kong(channel);
  const UriCaptures captures = kong.request.get_uri_captures();
  EXPECT_EQ(captures.unnamed, (std::vector<std::string>{"/users/42/posts", "42", "posts"}));
  EXPECT_EQ(captures.named.size(), 1u);
  EXPECT_EQ(captures.named.at("id"), "42");
}

TEST(TypedPdkResults, DecodesUriCapturesWithoutNamedGroupsFromAnEmptyArray) {
  FakeChannel channel(Phase::log);
  channel.answer(StrMap({{"unnamed", Value(Map{{0, "/users/42"}, {1, "42"}})}, {"named", Array{}}}))
      .answer(StrMap({{"unnamed", Array{}}, {"named", Array{}}}));
  Pdk kong(channel);
  EXPECT_EQ(kong.request.get_uri_captures(), (UriCaptures{{"/users/42", "42"}, {}}));
  EXPECT_EQ(kong.request.get_uri_captures(), UriCaptures{});
}

TEST(TypedPdkResults, ParsesTheSerializedLogRecord) {
  FakeChannel channel(Phase::log);
  channel.answer(R"({"client_ip":"10.0.0.1","response":{"status":200},"tries":[]})");
  Pdk kong(channel);
  const nlohmann::json record = kong.log.serialize();
  EXPECT_EQ(record, (nlohmann::json{{"client_ip", "10.0.0.1"},
                                    {"response", {{"status", 200}}},
                                    {"tries", nlohmann::json::array()}}));
}

TEST(TypedPdkResults, RefusesASerializedLogRecordThatIsNotJson) {
  FakeChannel channel(Phase::log);
  channel.answer(R"({"client_ip": oops})");
  Pdk kong(channel);
  try {
    kong.log.serialize();
    FAIL() << "no PdkError";
  } catch (const PdkError& e) {
    EXPECT_STREQ(
        e.what(),
        R"(kong.log.serialize: expected JSON text result, got string "{\"client_ip\": oops}" (invalid at byte 15))");
    EXPECT_EQ(e.function(), "kong.log.serialize");
  }
}

TEST(TypedPdkResults, RefusesASerializedLogRecordThatIsNotAString) {
  FakeChannel channel(Phase::log);
  channel.answer(StrMap({{"client_ip", "10.0.0.1"}}));
  Pdk kong(channel);
  try {
    kong.log.serialize();
    FAIL() << "no PdkError";
  } catch (const PdkError& e) {
    EXPECT_STREQ(
        e.what(),
        R"(kong.log.serialize: expected string result, got map {"client_ip": "10.0.0.1"})");
  }
}

struct OkOrNilCase {
  const char* what;
  Phase phase;
  std::function<bool(Pdk&)> call;
};

TEST(TypedPdkResults, MapsTrueToTrueAndNilToFalseForOkOrNilResults) {
  const OkOrNilCase cases[] = {
      {"client.tls.disable_session_reuse", Phase::certificate,
       [](Pdk& k) { return k.client.tls.disable_session_reuse(); }},
      {"client.tls.request_client_certificate", Phase::certificate,
       [](Pdk& k) { return k.client.tls.request_client_certificate(); }},
      {"service.set_tls_verify", Phase::access,
       [](Pdk& k) { return k.service.set_tls_verify(true); }},
      {"service.set_tls_verify_depth", Phase::access,
       [](Pdk& k) { return k.service.set_tls_verify_depth(3); }},
      {"service.set_upstream", Phase::access,
       [](Pdk& k) { return k.service.set_upstream("backend"); }},
      {"service.request.disable_tls", Phase::preread,
       [](Pdk& k) { return k.service.request.disable_tls(); }},
      {"service.request.set_body", Phase::access,
       [](Pdk& k) {
         return k.service.request.set_body(nlohmann::json{{"a", 1}});
       }},
      {"telemetry.log", Phase::log,
       [](Pdk& k) { return k.telemetry.log("p", nlohmann::json::object(), "t"); }},
  };
  for (const auto& c : cases) {
    // Kong's `nil, err` reaches the plugin as nil alone (MsgPack:1 sends the
    // first return value only).
    FakeChannel channel(c.phase);
    channel.answer(true).answer(Value{});
    Pdk kong(channel);
    EXPECT_TRUE(c.call(kong)) << c.what;
    EXPECT_FALSE(c.call(kong)) << c.what;
  }
}

TEST(TypedPdkResults, RefusesAnEntityOfTheWrongTypeNamingTheFunction) {
  FakeChannel channel(Phase::access);
  channel.answer("c1");
  Pdk kong(channel);
  try {
    kong.client.get_consumer();
    FAIL() << "no PdkError";
  } catch (const PdkError& e) {
    EXPECT_STREQ(e.what(),
                 R"(kong.client.get_consumer: expected map or nil result, got string "c1")");
  }
}

}  // namespace
}  // namespace kong
